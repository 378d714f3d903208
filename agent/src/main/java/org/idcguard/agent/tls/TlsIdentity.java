package org.idcguard.agent.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A process's TLS identity: its private key, its certificate issued by the manager's CA, and that CA, the only
 * one it trusts. Kept as a PKCS#12 file of mode 0600; the file's mode is its protection, so its password is fixed.
 */
public record TlsIdentity(PrivateKey key, X509Certificate certificate, X509Certificate ca) {
    static final char[] STORE_PASSWORD = "idcguard".toCharArray();
    private static final String KEY_ALIAS = "identity";

    public static String storePassword() {
        return new String(STORE_PASSWORD);
    }

    public static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("This JVM cannot make EC keys: " + e.getMessage(), e);
        }
    }

    /**
     * The identity as an in-memory key store, to hand to a KeyManagerFactory or to Jetty. JKS, because it never reaches
     * a disk: a PKCS#12 store derives a key with 10,000 rounds of SHA-256 every time an entry is set or read, which
     * was half of a node agent's start (one store per TLS port). Files are PKCS#12 ({@link #fileStore}).
     */
    public KeyStore keyStore() {
        return store("JKS");
    }

    /** The identity as the PKCS#12 store written to files (ZooKeeper reads them too). */
    private KeyStore fileStore() {
        return store("PKCS12");
    }

    private KeyStore store(String type) {
        try {
            KeyStore store = KeyStore.getInstance(type);
            store.load(null, null);
            store.setKeyEntry(KEY_ALIAS, key, STORE_PASSWORD,
                    certificate.equals(ca) ? new Certificate[] {ca} : new Certificate[] {certificate, ca});
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("Cannot hold the TLS identity: " + e.getMessage(), e);
        }
    }

    public KeyStore trustStore() {
        return trustStore(ca);
    }

    static KeyStore trustStore(X509Certificate ca) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("idcguard-ca", ca);
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("Cannot hold the CA certificate: " + e.getMessage(), e);
        }
    }

    /** Presents this identity and trusts only the CA: for calls that must authenticate both ends. */
    public SSLContext sslContext() {
        try {
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(keyStore(), STORE_PASSWORD);
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trustStore());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot set up TLS: " + e.getMessage(), e);
        }
    }

    /** Writes the CA certificate alone as a PKCS#12 trust store (for ZooKeeper, which reads its trust from a file). */
    public void saveTrustStore(Path file) {
        write(trustStore(), file, "the trust store");
    }

    /** Written to a private temporary file and moved into place, so a reader never meets half a key. */
    public void save(Path file) {
        write(fileStore(), file, "the TLS identity");
    }

    private static void write(KeyStore store, Path file, String what) {
        try {
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            store.store(bytes, STORE_PASSWORD);
            org.idcguard.agent.home.AtomicFiles.write(file, bytes.toByteArray(), "rw-------");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + what + " " + file + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot write " + what + " " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes this identity only if the file does not exist yet, race-free (hard link of a private temporary file),
     * and returns whichever identity the file holds afterwards: two processes creating it at once agree on one.
     */
    public TlsIdentity saveIfAbsent(Path file) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), ".identity", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                try (OutputStream out = Files.newOutputStream(tmp)) {
                    fileStore().store(out, STORE_PASSWORD);
                }
                Files.createLink(file, tmp);
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // another process created it first; its identity is the one
            } finally {
                Files.deleteIfExists(tmp);
            }
            return load(file).orElseThrow();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the TLS identity " + file + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot write the TLS identity " + file + ": " + e.getMessage(), e);
        }
    }

    public static Optional<TlsIdentity> load(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, STORE_PASSWORD);
            Certificate[] chain = store.getCertificateChain(KEY_ALIAS);
            PrivateKey key = (PrivateKey) store.getKey(KEY_ALIAS, STORE_PASSWORD);
            if (key == null || chain == null || chain.length == 0) {
                throw new IllegalStateException("The TLS identity " + file + " is incomplete: remove it and enrol again.");
            }
            return Optional.of(new TlsIdentity(key, (X509Certificate) chain[0], (X509Certificate) chain[chain.length - 1]));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("The TLS identity " + file + " cannot be read: " + e.getMessage() + ".", e);
        }
    }
}
