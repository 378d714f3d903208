package org.idcguard.agent.manager.quorum;

import java.net.InetAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import org.idcguard.agent.tls.CertificateAuthority;

/**
 * Trust for the managers' own ZooKeeper channels: a certificate of our CA is not enough, it must be a manager's. Our CA
 * also signs node agents' and HAProxy's certificates, and those must never reach the managers' metadata log (whose
 * entries every manager applies). A server's certificate must also name the address it was reached at, as ZooKeeper's
 * own hostname check would (this trust manager replaces it); a connecting peer's address is not checked, since the
 * address it connects from is not the one it is known by behind NAT.
 */
public final class ManagersOnlyTrust extends X509ExtendedTrustManager {
    private final X509TrustManager ca;

    public ManagersOnlyTrust(KeyStore caTrustStore) {
        try {
            TrustManagerFactory pkix = TrustManagerFactory.getInstance("PKIX");
            pkix.init(caTrustStore);
            this.ca = (X509TrustManager) pkix.getTrustManagers()[0];
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot trust the managers' CA: " + e.getMessage(), e);
        }
    }

    /** Whether the certificate is a manager's: only the managers' certificates carry this subject. */
    public static boolean isManager(X509Certificate certificate) {
        return ("CN=" + CertificateAuthority.MANAGER_NAME).equals(certificate.getSubjectX500Principal().getName());
    }

    private void manager(X509Certificate[] chain, String authType, boolean client) throws CertificateException {
        if (client) {
            ca.checkClientTrusted(chain, authType);
        } else {
            ca.checkServerTrusted(chain, authType);
        }
        if (!isManager(chain[0])) {
            throw new CertificateException(chain[0].getSubjectX500Principal().getName() + " is not a manager: the managers' "
                    + "ZooKeeper admits managers only.");
        }
    }

    private void reachedAt(X509Certificate certificate, InetAddress address) throws CertificateException {
        if (address == null) {
            return;
        }
        List<String> ips = ipAddresses(certificate);
        if (ips.stream().noneMatch(ip -> sameAddress(ip, address))) {
            throw new CertificateException("The manager's certificate names " + ips + ", not " + address.getHostAddress()
                    + " where it was reached.");
        }
    }

    private static boolean sameAddress(String ip, InetAddress address) {
        try {
            return InetAddress.getByName(ip).equals(address);
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    private static List<String> ipAddresses(X509Certificate certificate) throws CertificateParsingException {
        Collection<List<?>> names = certificate.getSubjectAlternativeNames();
        return names == null ? List.of() : names.stream().filter(n -> Integer.valueOf(7).equals(n.get(0)))
                .map(n -> (String) n.get(1)).toList();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        manager(chain, authType, true);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        manager(chain, authType, true);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        manager(chain, authType, true);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        manager(chain, authType, false);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        manager(chain, authType, false);
        reachedAt(chain[0], socket == null ? null : socket.getInetAddress());
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        manager(chain, authType, false);
        String host = engine == null ? null : engine.getPeerHost();
        try {
            reachedAt(chain[0], host == null ? null : InetAddress.getByName(host));
        } catch (java.net.UnknownHostException e) {
            throw new CertificateException("Cannot resolve " + host + ": " + e.getMessage(), e);
        }
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return ca.getAcceptedIssuers();
    }
}
