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
    /** Successful samples per node: a node never reached proves nothing about it. */
    private final Map<String, java.util.concurrent.atomic.AtomicInteger> reached = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<String> unreachableWhy = new CopyOnWriteArrayList<>();
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
                    Connection[] session = new Connection[1];
                    while (running) {
                        java.util.Optional<Boolean> ok = canAcknowledge(n, session);
                        ok.ifPresent(yes -> reached.computeIfAbsent(n.name(), k -> new java.util.concurrent.atomic.AtomicInteger())
                                .incrementAndGet());
                        writableSince.put(n.name(), ok.orElse(false) ? System.currentTimeMillis() : 0L);
                        pause(100);
                    }
                    close(session);
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

    /**
     * Whether the node could acknowledge a commit now; empty when it could not be asked (down, frozen, refused). The
     * session is kept between samples, as the manager keeps its probes' (a new one every 100 ms per node would cost a
     * backend fork and a SCRAM exchange each, the CPU the HA engine under test needs); a session that fails is dropped
     * and the next sample connects afresh. A kept session reads the settings a reload changed, as a new one would.
     */
    private java.util.Optional<Boolean> canAcknowledge(NodeView n, Connection[] session) {
        try {
            if (session[0] == null) {
                session[0] = DriverManager.getConnection("jdbc:postgresql://" + n.address() + ":" + n.port() + "/" + database, props);
            }
            try (Statement st = session[0].createStatement()) {
                ResultSet rs = st.executeQuery("SELECT pg_is_in_recovery(), current_setting('default_transaction_read_only'), "
                        + "current_setting('synchronous_standby_names'), "
                        + "(SELECT count(*) FROM pg_stat_replication WHERE sync_state IN ('sync', 'quorum'))");
                rs.next();
                return java.util.Optional.of(!rs.getBoolean(1) && "off".equals(rs.getString(2))
                        && (rs.getString(3).isBlank() || rs.getLong(4) > 0));
            }
        } catch (SQLException e) {
            close(session);
            if (unreachableWhy.size() < 20) {
                unreachableWhy.add(n.name() + ": " + e.getMessage());
            }
            return java.util.Optional.empty();
        }
    }

    private static void close(Connection[] session) {
        if (session[0] != null) {
            try {
                session[0].abort(Runnable::run); // does not wait on a frozen server, as close() would
            } catch (SQLException | RuntimeException ignored) {
                // the session is gone either way
            }
            session[0] = null;
        }
    }

    /**
     * Two writable primaries seen in one group, after checking that the watch really watched: every node must have
     * answered at least {@code minPerNode} samples, or the watch fails (a watcher that reached nothing proves nothing).
     */
    public List<String> violations() {
        assertWatched(3);
        return violations;
    }

    /** Fails unless every node was sampled successfully at least {@code minPerNode} times. */
    public void assertWatched(int minPerNode) {
        for (List<NodeView> nodes : groups.values()) {
            for (NodeView n : nodes) {
                int got = reached.getOrDefault(n.name(), new java.util.concurrent.atomic.AtomicInteger()).get();
                if (got < minPerNode) {
                    throw new AssertionError("The watch sampled " + n.name() + " successfully " + got + " time(s), fewer than "
                            + minPerNode + ": it proves nothing about that node. Errors seen: " + unreachableWhy);
                }
            }
        }
    }

    /** Successful samples over every node. */
    public int samples() {
        return reached.values().stream().mapToInt(java.util.concurrent.atomic.AtomicInteger::get).sum();
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
