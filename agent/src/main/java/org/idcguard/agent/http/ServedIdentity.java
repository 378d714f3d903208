package org.idcguard.agent.http;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.idcguard.agent.tls.TlsIdentity;

/**
 * The identity a node agent's TLS ports present, replaced while they run when its certificate is renewed: every port
 * opened with it, now or later, presents the new certificate from its next handshake on.
 */
public final class ServedIdentity {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ServedIdentity.class);
    private volatile TlsIdentity current;
    private final List<SslContextFactory.Server> ports = new CopyOnWriteArrayList<>();

    public ServedIdentity(TlsIdentity identity) {
        this.current = identity;
    }

    public TlsIdentity current() {
        return current;
    }

    void serves(SslContextFactory.Server port) {
        ports.add(port);
    }

    /** Presents this identity on every port from now on. */
    public synchronized void replace(TlsIdentity next) {
        current = next;
        for (SslContextFactory.Server port : ports) {
            try {
                if (!port.isRunning()) {
                    // not started yet (it starts with this identity) or closed for good (a health port of a removed instance)
                    port.setKeyStore(next.keyStore());
                    continue;
                }
                port.reload(factory -> factory.setKeyStore(next.keyStore()));
            } catch (Exception e) {
                log.warn("A TLS port kept its former certificate: {}", e.getMessage());
            }
        }
    }
}
