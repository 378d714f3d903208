package org.idcguard.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * How the console and the command line trust the manager: only certificates issued by the manager's own CA, whose
 * certificate lies in the home ({@link HomeLayout#caCertificateFile()}). The JDK's public CAs are not trusted, so a
 * manager URL pointed elsewhere fails the handshake instead of receiving the token.
 */
public final class ManagerTrust {
    private ManagerTrust() {
    }

    /** A TLS context that trusts the CA certificate in this file (PEM), and nothing else. */
    public static SSLContext sslContext(Path caCertificate) {
        try (InputStream in = Files.newInputStream(caCertificate)) {
            Certificate ca = CertificateFactory.getInstance("X.509").generateCertificate(in);
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("idcguard-ca", ca);
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new IllegalStateException("The manager's CA certificate " + caCertificate + " cannot be read: "
                    + e.getMessage() + ".", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("The manager's CA certificate " + caCertificate + " is not a certificate: "
                    + e.getMessage() + ".", e);
        }
    }
}
