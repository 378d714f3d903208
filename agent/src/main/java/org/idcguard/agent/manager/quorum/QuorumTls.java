package org.idcguard.agent.manager.quorum;

import java.nio.file.Path;
import java.util.Properties;
import org.apache.zookeeper.client.ZKClientConfig;
import org.idcguard.agent.tls.TlsIdentity;

/**
 * TLS for every ZooKeeper channel of the quorum, with the manager's own certificate from our CA and trust in that CA
 * only: the peers' quorum and election traffic, and each manager's client session. A peer or client without a
 * certificate of our CA is refused at the handshake. The address a peer connects from is not checked against its
 * certificate (on one machine, and behind NAT, it is not the address it is known by); the address it is reached at
 * is.
 */
public record QuorumTls(Path keyStore, Path trustStore) {

    /** Writes this manager's identity and the CA trust store where ZooKeeper reads them. */
    public static QuorumTls write(TlsIdentity identity, Path keyStore, Path trustStore) {
        identity.save(keyStore);
        identity.saveTrustStore(trustStore);
        return new QuorumTls(keyStore, trustStore);
    }

    /**
     * The peer's settings: Netty with a secure client port only, and TLS between the peers; both admit managers only
     * ({@link ManagersOnlyX509} on the client port, {@link QuorumSslContext} between the peers). ZooKeeper finds its
     * authentication providers in system properties: this process runs one peer, so setting it here is setting it once.
     */
    void configurePeer(Properties config) {
        System.setProperty("zookeeper.authProvider.x509", ManagersOnlyX509.class.getName());
        config.put("ssl.quorum.context.supplier.class", QuorumSslContext.class.getName());
        config.put("serverCnxnFactory", "org.apache.zookeeper.server.NettyServerCnxnFactory");
        config.put("sslQuorum", "true");
        config.put("portUnification", "false");
        for (String prefix : new String[] {"ssl.", "ssl.quorum."}) {
            config.put(prefix + "keyStore.location", keyStore.toString());
            config.put(prefix + "keyStore.password", TlsIdentity.filePassword(keyStore));
            config.put(prefix + "keyStore.type", "PKCS12");
            config.put(prefix + "trustStore.location", trustStore.toString());
            config.put(prefix + "trustStore.password", TlsIdentity.filePassword(trustStore));
            config.put(prefix + "trustStore.type", "PKCS12");
            config.put(prefix + "clientAuth", "need");
            config.put(prefix + "hostnameVerification", "true");
            config.put(prefix + "clientHostnameVerification", "false");
        }
    }

    /** The client's settings: Netty, TLS, our identity, and the server's certificate checked against its address. */
    public ZKClientConfig clientConfig() {
        ZKClientConfig config = new ZKClientConfig();
        config.setProperty(ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET, "org.apache.zookeeper.ClientCnxnSocketNetty");
        config.setProperty(ZKClientConfig.SECURE_CLIENT, "true");
        config.setProperty("zookeeper.ssl.keyStore.location", keyStore.toString());
        config.setProperty("zookeeper.ssl.keyStore.password", TlsIdentity.filePassword(keyStore));
        config.setProperty("zookeeper.ssl.keyStore.type", "PKCS12");
        config.setProperty("zookeeper.ssl.trustStore.location", trustStore.toString());
        config.setProperty("zookeeper.ssl.trustStore.password", TlsIdentity.filePassword(trustStore));
        config.setProperty("zookeeper.ssl.trustStore.type", "PKCS12");
        config.setProperty("zookeeper.ssl.hostnameVerification", "true");
        return config;
    }
}
