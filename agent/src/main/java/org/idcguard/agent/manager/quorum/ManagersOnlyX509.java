package org.idcguard.agent.manager.quorum;

import java.security.cert.X509Certificate;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.server.ServerCnxn;
import org.apache.zookeeper.server.auth.X509AuthenticationProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ZooKeeper's x509 authentication on the client port, admitting managers only. ZooKeeper runs it when a client's TLS
 * handshake completes and closes the connection when it fails, before any request is read: a node agent's or HAProxy's
 * certificate of our CA reads nothing and writes nothing. A manager is then known by its subject ({@code x509:CN=...}),
 * which the ACLs of every znode name ({@link ManagerQuorum#ACL}).
 */
public final class ManagersOnlyX509 extends X509AuthenticationProvider {
    private static final Logger log = LoggerFactory.getLogger(ManagersOnlyX509.class);

    /** ZooKeeper makes it by reflection, reading its trust store from the peer's configuration. */
    public ManagersOnlyX509() throws org.apache.zookeeper.common.X509Exception {
        super();
    }

    @Override
    public KeeperException.Code handleAuthentication(ServerCnxn cnxn, byte[] authData) {
        java.security.cert.Certificate[] chain = cnxn.getClientCertificateChain();
        X509Certificate leaf = chain != null && chain.length > 0 && chain[0] instanceof X509Certificate x ? x : null;
        if (leaf == null || !ManagersOnlyTrust.isManager(leaf)) {
            log.warn("Refused a ZooKeeper client from {}: {} is not a manager's certificate", cnxn.getRemoteSocketAddress(),
                    leaf == null ? "no X.509 certificate" : leaf.getSubjectX500Principal().getName());
            return KeeperException.Code.AUTHFAILED;
        }
        return super.handleAuthentication(cnxn, authData);
    }
}
