package org.idcguard.agent.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The trust of a node agent's TLS ports: our CA, as before, and then no certificate of the revoked list. Checked at
 * every handshake; the ports keep no TLS sessions to resume, so a revoked certificate cannot ride an old one.
 */
public final class RevocationCheckingTrust extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager ca;
    private final RevokedCertificates revoked;

    public RevocationCheckingTrust(X509ExtendedTrustManager ca, RevokedCertificates revoked) {
        this.ca = ca;
        this.revoked = revoked;
    }

    /** The same managers with each X509 one wrapped to refuse the revoked list too (none wrapped when it is null). */
    public static javax.net.ssl.TrustManager[] wrap(javax.net.ssl.TrustManager[] managers, RevokedCertificates revoked) {
        for (int i = 0; revoked != null && i < managers.length; i++) {
            if (managers[i] instanceof X509ExtendedTrustManager ca) {
                managers[i] = new RevocationCheckingTrust(ca, revoked);
            }
        }
        return managers;
    }

    private void notRevoked(X509Certificate[] chain) throws CertificateException {
        if (chain != null && chain.length > 0 && revoked.isRevoked(chain[0])) {
            throw new CertificateException("The certificate " + chain[0].getSubjectX500Principal().getName() + " (serial "
                    + RevokedCertificates.serial(chain[0]) + ") is revoked.");
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        ca.checkClientTrusted(chain, authType, socket);
        notRevoked(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        ca.checkClientTrusted(chain, authType, engine);
        notRevoked(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        ca.checkClientTrusted(chain, authType);
        notRevoked(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        ca.checkServerTrusted(chain, authType, socket);
        notRevoked(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        ca.checkServerTrusted(chain, authType, engine);
        notRevoked(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        ca.checkServerTrusted(chain, authType);
        notRevoked(chain);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return ca.getAcceptedIssuers();
    }
}
