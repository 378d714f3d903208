package org.idcguard.agent.manager.cluster;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import org.idcguard.model.ClusterUris;

/**
 * The coordinator's multi-host URIs. The client settings make a dead or black-holed IDC cost seconds: a short
 * connect timeout, TCP keepalives and a TCP user timeout (libpq), a socket timeout (JDBC).
 */
public final class ClusterUriBuilder {
    private ClusterUriBuilder() {
    }

    /**
     * The coordinator's nodes with the IDCs alternating, primary IDC first: when the primary IDC is black-holed a client
     * waits out one timeout before it reaches the other IDC, not one per node of the lost IDC.
     */
    static List<NodeRecord> interleaved(ClusterRecord cluster, List<NodeRecord> members) {
        List<NodeRecord> primaryIdc = members.stream().filter(n -> n.idc().equals(cluster.primaryIdc()))
                .sorted(Comparator.comparing((NodeRecord n) -> !n.isPrimary()).thenComparing(NodeRecord::name)).toList();
        List<NodeRecord> others = members.stream().filter(n -> !n.idc().equals(cluster.primaryIdc()))
                .sorted(Comparator.comparing(NodeRecord::name)).toList();
        List<NodeRecord> all = new java.util.ArrayList<>();
        for (int i = 0; i < Math.max(primaryIdc.size(), others.size()); i++) {
            if (i < primaryIdc.size()) {
                all.add(primaryIdc.get(i));
            }
            if (i < others.size()) {
                all.add(others.get(i));
            }
        }
        return all;
    }

    public static ClusterUris of(ClusterRecord cluster, List<NodeRecord> nodes) {
        List<NodeRecord> coordinator = interleaved(cluster, nodes.stream().filter(n -> "coordinator".equals(n.group())).toList());
        String hosts = coordinator.stream().map(n -> n.address() + ":" + n.port()).collect(Collectors.joining(","));
        String user = URLEncoder.encode(cluster.appUser(), StandardCharsets.UTF_8);
        String password = URLEncoder.encode(cluster.appPassword(), StandardCharsets.UTF_8);
        String libpq = "postgresql://" + user + ":" + password + "@" + hosts + "/" + cluster.database()
                + "?target_session_attrs=read-write&connect_timeout=2&keepalives=1&keepalives_idle=2"
                + "&keepalives_interval=1&keepalives_count=2&tcp_user_timeout=3000";
        String jdbc = "jdbc:postgresql://" + hosts + "/" + cluster.database() + "?user=" + user + "&password=" + password
                + "&targetServerType=primary&connectTimeout=2&loginTimeout=3&socketTimeout=10&tcpKeepAlive=true";
        return new ClusterUris(libpq, jdbc);
    }
}
