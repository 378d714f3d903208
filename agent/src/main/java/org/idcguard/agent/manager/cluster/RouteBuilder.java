package org.idcguard.agent.manager.cluster;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.idcguard.model.InvalidInput;
import org.idcguard.model.HealthPorts;

/**
 * The HAProxy route of a cluster (as Patroni's template does it): HAProxy on the application host listens on one
 * address and passes each connection to the coordinator node whose node agent says it is the primary the manager
 * records. Its health checks run every 300 ms over TLS with a router certificate of our CA
 * ({@code CN=idcguard-router}, which reaches nothing but the health checks), time out after 500 ms and mark a server
 * down after two misses, so a dark or frozen IDC drops out within about 1.3 s and new connections never wait on it.
 * Sessions on a server marked down are cut, so clients blocked on a frozen primary reconnect to the new one at once,
 * without a socket timeout of their own.
 */
final class RouteBuilder {
    private RouteBuilder() {
    }

    /** The bind address as ADDRESS:PORT, checked. */
    static String checkBind(String bind) {
        String text = bind == null ? "" : bind.strip();
        int colon = text.lastIndexOf(':');
        try {
            if (colon > 0) {
                org.idcguard.model.Addresses.checkAddress("bind", text.substring(0, colon));
                int port = Integer.parseInt(text.substring(colon + 1));
                if (port > 0 && port < 65536) {
                    return text;
                }
            }
        } catch (NumberFormatException | InvalidInput e) {
            // one sentence below
        }
        throw new InvalidInput("bind", "The route's bind address must look like 10.77.8.1:5432.");
    }

    /** The read-only listener's address: the same host, the next port. */
    static String readOnlyBind(String bind) {
        int colon = bind.lastIndexOf(':');
        return bind.substring(0, colon + 1) + (Integer.parseInt(bind.substring(colon + 1)) + 1);
    }

    /**
     * A ready haproxy.cfg: {@code bind} leads to the coordinator's primary (checked with {@code GET /primary}), the next
     * port to its streaming standbys in turn ({@code GET /replica}), both checked on each instance's health port.
     */
    static String haproxyConfig(ClusterRecord cluster, List<NodeRecord> coordinator, String bind) {
        String name = cluster.name().toLowerCase();
        StringBuilder cfg = new StringBuilder();
        cfg.append("# HAProxy route of IDC Guard cluster ").append(cluster.name()).append(": ").append(bind)
                .append(" leads to the coordinator's primary, ").append(readOnlyBind(bind)).append(" to its standbys.\n")
                .append("# The checks follow Patroni's convention on each instance's health port (its port + ")
                .append(HealthPorts.OFFSET).append("), over TLS\n# with the router certificate; a server that fails two")
                .append(" checks is marked down and its sessions are cut at once.\n")
                .append("global\n    maxconn 4096\n\n")
                .append("defaults\n    mode tcp\n    timeout connect 1s\n    timeout client 30m\n    timeout server 30m\n")
                .append("    timeout check 500ms\n\n");
        listener(cfg, name + "-rw", bind, "/primary", "first", coordinator);
        cfg.append('\n');
        // reads go to the main city's standbys: a DR standby replays 30 s behind on purpose (consistent promotion)
        listener(cfg, name + "-ro", readOnlyBind(bind), "/replica", "roundrobin",
                coordinator.stream().filter(n -> !cluster.isDr(n.idc())).toList());
        return cfg.toString();
    }

    private static void listener(StringBuilder cfg, String name, String bind, String check, String balance, List<NodeRecord> servers) {
        cfg.append("listen ").append(name).append('\n')
                .append("    bind ").append(bind).append('\n')
                .append("    balance ").append(balance).append('\n')
                .append("    option httpchk\n")
                .append("    http-check send meth GET uri ").append(check).append('\n')
                .append("    http-check expect status 200\n")
                .append("    default-server inter 300ms fastinter 150ms downinter 150ms fall 2 rise 1 on-marked-down shutdown-sessions")
                .append(" check-ssl verify required ca-file ca.crt crt router.pem\n");
        for (NodeRecord n : servers) {
            cfg.append("    server ").append(n.name()).append(' ').append(n.address()).append(':').append(n.port())
                    .append(" check port ").append(HealthPorts.of(n.port())).append(" # ").append(n.idc()).append('\n');
        }
    }

    static String uri(ClusterRecord cluster, String bind) {
        return "postgresql://" + URLEncoder.encode(cluster.appUser(), StandardCharsets.UTF_8) + ":"
                + URLEncoder.encode(cluster.appPassword(), StandardCharsets.UTF_8) + "@" + bind + "/" + cluster.database()
                + "?connect_timeout=2&keepalives=1&keepalives_idle=2&keepalives_interval=1&keepalives_count=2&tcp_user_timeout=3000";
    }
}
