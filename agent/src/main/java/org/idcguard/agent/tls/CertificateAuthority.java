package org.idcguard.agent.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.idcguard.agent.home.AgentHome;

/**
 * The manager's own certificate authority. It lives in the manager's home ({@code tls/ca.p12}, mode 0600, with its
 * public certificate beside it as {@code tls/ca.crt}) and issues the certificates of the manager and of every
 * enrolled node agent. Nothing else is trusted between our processes.
 */
public final class CertificateAuthority {
    /** The common name the manager's certificate carries; node agents serve only a client presenting it. */
    public static final String MANAGER_NAME = "idcguard-manager";
    /** The common name of HAProxy's certificate: node agents let it read their role check, nothing else. */
    public static final String ROUTER_NAME = "idcguard-router";
    private static final Duration CA_LIFETIME = Duration.ofDays(3650);
    /** Node agents renew by enrolling again; the manager's own certificate is issued anew at every start. */
    static final Duration LEAF_LIFETIME = Duration.ofDays(730);
    private final TlsIdentity self;

    private CertificateAuthority(TlsIdentity self) {
        this.self = self;
    }

    /** The CA of this home, created on first use (by the manager, or by a local node agent sharing its home). */
    public static synchronized CertificateAuthority loadOrCreate(AgentHome home) {
        Path file = caFile(home);
        CertificateAuthority ca = TlsIdentity.load(file).map(CertificateAuthority::new).orElseGet(() -> {
            KeyPair pair = TlsIdentity.newKeyPair();
            X500Name name = new X500Name("CN=IDC Guard CA " + shortId());
            X509Certificate certificate = build(name, pair.getPrivate(), name, pair.getPublic(), CA_LIFETIME, true,
                    List.of(), List.of());
            return new CertificateAuthority(new TlsIdentity(pair.getPrivate(), certificate, certificate).saveIfAbsent(file));
        });
        ca.publish(home.layout().caCertificateFile());
        return ca;
    }

    /** The CA of this home if it holds one, i.e. if this is the manager's home. */
    public static Optional<CertificateAuthority> ofHome(AgentHome home) {
        return TlsIdentity.load(caFile(home)).map(CertificateAuthority::new);
    }

    private static Path caFile(AgentHome home) {
        return home.tlsDir().resolve("ca.p12");
    }

    public X509Certificate certificate() {
        return self.certificate();
    }

    /**
     * 32 bytes derived from the CA's private key for a purpose (HMAC-SHA256 of the label under the key): the same in
     * every manager holding this CA, and nothing without it.
     */
    public byte[] derivedKey(String label) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(self.key().getEncoded(), "HmacSHA256"));
            return mac.doFinal(label.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot derive a key from the CA: " + e.getMessage(), e);
        }
    }

    /** SHA-256 of the CA certificate, in hex: what a join code carries so a node can tell the right manager. */
    public String fingerprint() {
        return fingerprint(certificate());
    }

    public static String fingerprint(X509Certificate certificate) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A fresh key and certificate for a process of this home: the manager, or a node agent beside it. */
    public TlsIdentity issue(String commonName, List<String> ipAddresses, List<String> dnsNames) {
        KeyPair pair = TlsIdentity.newKeyPair();
        return new TlsIdentity(pair.getPrivate(), sign(commonName, pair.getPublic(), ipAddresses, dnsNames), certificate());
    }

    /**
     * Signs a node agent's certificate request for the given address. The request's own subject is ignored: the
     * certificate names what the CA decided (the node and its address), and the request must be signed by its key.
     */
    public X509Certificate signRequest(String pem, String address) {
        PKCS10CertificationRequest request = Pem.request(pem);
        try {
            PublicKey key = new JcaPEMKeyConverter().getPublicKey(request.getSubjectPublicKeyInfo());
            if (!request.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key))) {
                throw new IllegalArgumentException("The certificate request is not signed by its own key.");
            }
            return sign(nodeName(address), key, List.of(address), List.of());
        } catch (OperatorCreationException | PKCSException | org.bouncycastle.openssl.PEMException e) {
            throw new IllegalArgumentException("The certificate request cannot be checked: " + e.getMessage() + ".");
        }
    }

    public static String nodeName(String address) {
        return "idcguard-node " + address;
    }

    private X509Certificate sign(String commonName, PublicKey key, List<String> ipAddresses, List<String> dnsNames) {
        X500Name issuer = X500Name.getInstance(certificate().getSubjectX500Principal().getEncoded());
        return build(issuer, self.key(), new X500Name("CN=" + commonName.replace(",", " ")), key, LEAF_LIFETIME, false,
                ipAddresses, dnsNames);
    }

    private static X509Certificate build(X500Name issuer, PrivateKey signingKey, X500Name subject, PublicKey key,
                                         Duration lifetime, boolean isCa, List<String> ips, List<String> dns) {
        Instant now = Instant.now();
        byte[] serial = new byte[16];
        new SecureRandom().nextBytes(serial);
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, new BigInteger(1, serial),
                Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(lifetime)), subject, key);
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
            if (isCa) {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            } else {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
                builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                        new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
                List<GeneralName> names = new ArrayList<>();
                ips.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
                dns.forEach(d -> names.add(new GeneralName(GeneralName.dNSName, d)));
                if (!names.isEmpty()) {
                    builder.addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(names.toArray(GeneralName[]::new)));
                }
            }
            ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(signingKey);
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (CertIOException | OperatorCreationException | GeneralSecurityException e) {
            throw new IllegalStateException("Cannot issue a certificate for " + subject + ": " + e.getMessage(), e);
        }
    }

    private void publish(Path caCertificateFile) {
        try {
            String pem = Pem.write(certificate());
            if (Files.isRegularFile(caCertificateFile) && Files.readString(caCertificateFile).equals(pem)) {
                return;
            }
            org.idcguard.agent.home.AtomicFiles.write(caCertificateFile, pem.getBytes(StandardCharsets.US_ASCII), "rw-------");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + caCertificateFile + ": " + e.getMessage(), e);
        }
    }

    private static String shortId() {
        byte[] id = new byte[4];
        new SecureRandom().nextBytes(id);
        return HexFormat.of().formatHex(id);
    }
}
