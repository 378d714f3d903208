package org.idcguard.agent.testing;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.idcguard.model.ClusterDetail;
import org.idcguard.model.GroupView;
import org.idcguard.model.NodeView;

/**
 * Samples every node of a cluster several times a second and records any moment when two nodes of one group could
 * acknowledge a commit: out of recovery, not read-only, and either waiting for no standby or having a synchronous
 * standby streaming from it. A frozen or dead node cannot acknowledge anything and counts as not writable.
 */
public final class WritablePrimaryWatch implements AutoCloseable {
    private final Map<String, List<NodeView>> groups = new HashMap<>();
    private final Properties props = new Properties();
    private final String database;
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final Thread thread = new Thread(this::run, "writable-primary-watch");
    private volatile boolean running = true;
    private volatile int samples;
    private final Map<String, Long> writableSince = new java.util.concurrent.ConcurrentHashMap<>();

    public WritablePrimaryWatch(ClusterDetail detail) {
        for (GroupView g : detail.groups()) {
            groups.put(g.name(), g.nodes());
        }
        this.database = detail.database();
        String jdbc = detail.uris().jdbc();
        props.setProperty("user", param(jdbc, "user"));
        props.setProperty("password", param(jdbc, "password"));
        props.setProperty("connectTimeout", "1");
        props.setProperty("loginTimeout", "1");
        props.setProperty("socketTimeout", "1");
        thread.setDaemon(true);
        thread.start();
    }

    /** Each node is sampled by its own thread, so a frozen node slows only its own samples. */
    private void run() {
        List<Thread> pollers = new ArrayList<>();
        for (List<NodeView> nodes : groups.values()) {
            for (NodeView n : nodes) {
                Thread t = new Thread(() -> {
                    while (running) {
                        boolean ok = canAcknowledge(n);
                        writableSince.put(n.name(), ok ? System.currentTimeMillis() : 0L);
                        pause(100);
                    }
                }, "watch-" + n.name());
                t.setDaemon(true);
                t.start();
                pollers.add(t);
            }
        }
        while (running) {
            long now = System.currentTimeMillis();
            for (Map.Entry<String, List<NodeView>> g : groups.entrySet()) {
                List<String> writable = g.getValue().stream().map(NodeView::name)
                        .filter(n -> now - writableSince.getOrDefault(n, 0L) < 1000).toList();
                if (writable.size() > 1) {
                    violations.add(now + " " + g.getKey() + ": " + writable);
                }
            }
            samples++;
            pause(200);
        }
        pollers.forEach(Thread::interrupt);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean canAcknowledge(NodeView n) {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + n.address() + ":" + n.port() + "/" + database, props);
             Statement st = c.createStatement()) {
            ResultSet rs = st.executeQuery("SELECT pg_is_in_recovery(), current_setting('default_transaction_read_only'), "
                    + "current_setting('synchronous_standby_names'), "
                    + "(SELECT count(*) FROM pg_stat_replication WHERE sync_state IN ('sync', 'quorum'))");
            rs.next();
            return !rs.getBoolean(1) && "off".equals(rs.getString(2)) && (rs.getString(3).isBlank() || rs.getLong(4) > 0);
        } catch (SQLException e) {
            return false;
        }
    }

    public List<String> violations() {
        return violations;
    }

    public int samples() {
        return samples;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String param(String url, String name) {
        for (String part : url.substring(url.indexOf('?') + 1).split("&")) {
            if (part.startsWith(name + "=")) {
                return URLDecoder.decode(part.substring(name.length() + 1), StandardCharsets.UTF_8);
            }
        }
        throw new IllegalArgumentException("no " + name + " in the URL");
    }
}
