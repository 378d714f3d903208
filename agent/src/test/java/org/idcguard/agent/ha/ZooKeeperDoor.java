package org.idcguard.agent.ha;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.idcguard.agent.manager.quorum.QuorumTls;
import org.idcguard.agent.tls.TlsIdentity;

/** A stock ZooKeeper client, or a bare TLS socket, knocking at a manager's ZooKeeper with a given certificate. */
record ZooKeeperDoor(ZooKeeper client, boolean connected) implements AutoCloseable {

    /** Connects with the identity's certificate; connected says whether a session was established within 5 s. */
    static ZooKeeperDoor open(TlsIdentity identity, String connect, Path dir) throws Exception {
        Files.createDirectories(dir);
        QuorumTls tls = QuorumTls.write(identity, dir.resolve("key.p12"), dir.resolve("trust.p12"));
        CountDownLatch session = new CountDownLatch(1);
        var config = tls.clientConfig();
        ZooKeeper zk = new ZooKeeper(connect, 4000, e -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) {
                session.countDown();
            }
        }, config);
        return new ZooKeeperDoor(zk, session.await(5, TimeUnit.SECONDS));
    }

    /**
     * Whether a peer's election port, reached over TLS with the identity's certificate, admits the certificate: the
     * handshake ends and the peer waits for the caller to speak (a peer speaks first), or closes the connection
     * quietly once it gave up on a silent caller (after tickTime × syncLimit, 2 s; a refusal read into that close
     * made this fail once in a fresh-clone run). A refused certificate gets a TLS alert instead.
     */
    static boolean electionPortWaitsFor(TlsIdentity identity, String host, int port) throws IOException {
        try (SSLSocket socket = (SSLSocket) identity.sslContext().getSocketFactory().createSocket()) {
            socket.connect(new InetSocketAddress(host, port), 5000);
            socket.setSoTimeout(5000);
            socket.startHandshake();
            socket.setSoTimeout(1000);
            try {
                socket.getInputStream().read(); // data or a quiet close (-1): admitted, the peer heard the handshake out
                return true;
            } catch (SocketTimeoutException waiting) {
                return true;
            }
        } catch (javax.net.ssl.SSLException refused) {
            return false; // the peer's TLS alert: the certificate was refused (TLS 1.3 reports it at the first read)
        } catch (IOException reset) {
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        client.close();
    }
}
