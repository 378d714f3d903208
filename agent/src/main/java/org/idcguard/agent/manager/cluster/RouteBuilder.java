package org.idcguard.agent.manager.cluster;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.idcguard.model.InvalidInput;
import org.idcguard.model.NewComputer;

/**
 * The HAProxy route of a cluster (as Patroni's template does it): HAProxy on the application host listens on one
 * address and passes each connection to the coordinator node whose node agent says it is the primary. Its health
 * checks run every 500 ms over TLS with a router certificate of our CA ({@code CN=idcguard-router}, allowed only
 * the role check), time out after 1 s and mark a server down after two misses, so a dark IDC drops out within about
 * 1.5 s and new connections never wait on it. Sessions on a server marked down are cut, so clients reconnect to
 * the new primary at once.
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

    static String haproxyConfig(ClusterRecord cluster, List<NodeRecord> coordinator, String bind) {
        StringBuilder cfg = new StringBuilder();
        cfg.append("# HAProxy route of IDC Guard cluster ").append(cluster.name()).append(": connections to ").append(bind)
                .append(" go to the coordinator's current primary.\n")
                .append("global\n    maxconn 4096\n\n")
                .append("defaults\n    mode tcp\n    timeout connect 1s\n    timeout client 30m\n    timeout server 30m\n")
                .append("    timeout check 1s\n\n")
                .append("listen idcguard-").append(cluster.name().toLowerCase()).append('\n')
                .append("    bind ").append(bind).append('\n')
                .append("    option httpchk\n")
                .append("    http-check send meth GET uri ").append(checkPath(cluster.name())).append('\n')
                .append("    http-check expect status 200\n")
                .append("    default-server inter 500ms fall 2 rise 1 on-marked-down shutdown-sessions check-ssl verify required")
                .append(" ca-file ca.crt crt router.pem\n");
        for (NodeRecord n : coordinator) {
            cfg.append("    server ").append(n.name()).append(' ').append(n.address()).append(':').append(n.port())
                    .append(" check port ").append(NewComputer.DEFAULT_AGENT_PORT).append(" # ").append(n.idc()).append('\n');
        }
        return cfg.toString();
    }

    /** The node agent's role check: 200 when its coordinator instance of the cluster is a running primary. */
    static String checkPath(String cluster) {
        return "/api/route/" + cluster.toLowerCase() + "/coordinator";
    }

    static String uri(ClusterRecord cluster, String bind) {
        return "postgresql://" + URLEncoder.encode(cluster.appUser(), StandardCharsets.UTF_8) + ":"
                + URLEncoder.encode(cluster.appPassword(), StandardCharsets.UTF_8) + "@" + bind + "/" + cluster.database()
                + "?connect_timeout=2&keepalives=1&keepalives_idle=2&keepalives_interval=1&keepalives_count=2&tcp_user_timeout=3000";
    }
}
