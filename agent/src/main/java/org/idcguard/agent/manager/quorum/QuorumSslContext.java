package org.idcguard.agent.manager.quorum;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.function.Supplier;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

/**
 * The TLS context of the ZooKeeper peers' own traffic (quorum and election ports), which ZooKeeper builds from this
 * class (its {@code ssl.quorum.context.supplier.class}): this manager's key, and {@link ManagersOnlyTrust}, so that no
 * other certificate of our CA can pose as a peer. It reads the key and trust stores ZooKeeper was configured with.
 */
public final class QuorumSslContext implements Supplier<SSLContext> {
    static final String PREFIX = "zookeeper.ssl.quorum.";

    @Override
    public SSLContext get() {
        try {
            KeyStore keys = load(PREFIX + "keyStore.");
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, System.getProperty(PREFIX + "keyStore.password").toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), new TrustManager[] {new ManagersOnlyTrust(load(PREFIX + "trustStore."))}, null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("The ZooKeeper peer's TLS cannot be set up: " + e.getMessage(), e);
        }
    }

    private static KeyStore load(String prefix) throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance(System.getProperty(prefix + "type", "PKCS12"));
        try (InputStream in = Files.newInputStream(Path.of(System.getProperty(prefix + "location")))) {
            store.load(in, System.getProperty(prefix + "password").toCharArray());
        }
        return store;
    }
}
