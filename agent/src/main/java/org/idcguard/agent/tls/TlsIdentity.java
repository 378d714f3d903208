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
 * one it trusts. Kept as a PKCS#12 file of mode 0600, locked with its own random password kept beside it
 * ({@link StorePassword}); in memory, where no password protects anything, with a fixed one.
 */
public record TlsIdentity(PrivateKey key, X509Certificate certificate, X509Certificate ca) {
    /** Of the in-memory key stores handed to Jetty and the JDK only; files have their own. */
    static final char[] STORE_PASSWORD = "in-memory".toCharArray();
    private static final String KEY_ALIAS = "identity";

    /** The password of the in-memory key store {@link #keyStore()}. */
    public static String storePassword() {
        return new String(STORE_PASSWORD);
    }

    /** The password of the key store in this file (for ZooKeeper, which reads it itself). */
    public static String filePassword(Path file) {
        return new String(StorePassword.forWriting(file));
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

    /** The identity as the PKCS#12 store written to files (ZooKeeper reads them too), its key under that password. */
    private KeyStore fileStore(char[] password) {
        return store("PKCS12", password);
    }

    private KeyStore store(String type) {
        return store(type, STORE_PASSWORD);
    }

    private KeyStore store(String type, char[] password) {
        try {
            KeyStore store = KeyStore.getInstance(type);
            store.load(null, null);
            store.setKeyEntry(KEY_ALIAS, key, password,
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
        return sslContext(null);
    }

    /** As {@link #sslContext()}, refusing also a peer certificate of the revoked list (if any). */
    public SSLContext sslContext(RevokedCertificates revoked) {
        try {
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(keyStore(), STORE_PASSWORD);
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trustStore());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), RevocationCheckingTrust.wrap(trust.getTrustManagers(), revoked), null);
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
        write(fileStore(StorePassword.forWriting(file)), file, "the TLS identity");
    }

    private static void write(KeyStore store, Path file, String what) {
        try {
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            store.store(bytes, StorePassword.forWriting(file));
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
                char[] password = StorePassword.forWriting(file);
                try (OutputStream out = Files.newOutputStream(tmp)) {
                    fileStore(password).store(out, password);
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
        try {
            return Optional.of(load(file, StorePassword.forReading(file)));
        } catch (IllegalStateException e) {
            if (Files.isRegularFile(file) && !java.util.Arrays.equals(StorePassword.forReading(file), StorePassword.LEGACY)) {
                try {
                    // written by an older version, before its folder had a password of its own
                    return Optional.of(load(file, StorePassword.LEGACY));
                } catch (IllegalStateException legacyFailed) {
                    throw e;
                }
            }
            throw e;
        }
    }

    private static TlsIdentity load(Path file, char[] password) {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
            Certificate[] chain = store.getCertificateChain(KEY_ALIAS);
            PrivateKey key = (PrivateKey) store.getKey(KEY_ALIAS, password);
            if (key == null || chain == null || chain.length == 0) {
                throw new IllegalStateException("The TLS identity " + file + " is incomplete: remove it and enrol again.");
            }
            return new TlsIdentity(key, (X509Certificate) chain[0], (X509Certificate) chain[chain.length - 1]);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("The TLS identity " + file + " cannot be read: " + e.getMessage() + ".", e);
        }
    }
}
