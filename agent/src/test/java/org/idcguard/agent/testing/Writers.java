package org.idcguard.agent.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.idcguard.agent.drill.Quietly;

/**
 * Writers committing as fast as they can through the coordinator into a table spread over every shard, each on its
 * own connection with the printed JDBC URI's settings. A commit counts as acknowledged only when it returned without
 * error and without a warning (a cancelled wait for a standby returns success with a warning: not acknowledged).
 * Afterwards every acknowledged row is looked for.
 */
public final class Writers implements AutoCloseable {
    private final String url;
    private final String table;
    private final List<Thread> threads = new ArrayList<>();
    private final ConcurrentLinkedQueue<long[]> acked = new ConcurrentLinkedQueue<>();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong warnings = new AtomicLong();
    private volatile boolean running = true;

    /** Creates the table (hash-partitioned over the shards) and starts {@code count} writers. */
    public Writers(String jdbcUrl, String table, int count) throws SQLException {
        this.url = jdbcUrl;
        this.table = table;
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            st.execute("SELECT idcguard_create_sharded_table('" + table + "', 'w int NOT NULL, seq bigint NOT NULL', 'seq', 0, 'w, seq')");
        }
        for (int w = 0; w < count; w++) {
            int writer = w;
            Thread t = new Thread(() -> write(writer), "writer-" + w);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    private void write(int writer) {
        long seq = 0;
        Connection c = null;
        while (running) {
            try {
                if (c == null) {
                    c = DriverManager.getConnection(url);
                }
                seq++;
                try (PreparedStatement st = c.prepareStatement("INSERT INTO " + table + " (w, seq) VALUES (?, ?)")) {
                    st.setInt(1, writer);
                    st.setLong(2, seq);
                    st.executeUpdate();
                    SQLWarning warning = st.getWarnings();
                    if (warning != null) {
                        warnings.incrementAndGet(); // committed locally, perhaps not replicated: not acknowledged
                        continue;
                    }
                }
                acked.add(new long[] {writer, seq, System.currentTimeMillis()});
            } catch (SQLException e) {
                errors.incrementAndGet();
                Quietly.close(c);
                c = null;
                Quietly.pause(20);
            }
        }
        Quietly.close(c);
    }

    public long acked() {
        return acked.size();
    }

    /**
     * The longest time no writer got an acknowledgement, between {@code fromMillis} and {@code toMillis} (a gap open
     * at either end counts up to it): the recovery time as this client saw it.
     */
    public long longestGapMillis(long fromMillis, long toMillis) {
        List<Long> times = new ArrayList<>();
        acked.forEach(a -> {
            if (a[2] >= fromMillis && a[2] <= toMillis) {
                times.add(a[2]);
            }
        });
        java.util.Collections.sort(times);
        long gap = 0;
        long previous = fromMillis;
        for (long t : times) {
            gap = Math.max(gap, t - previous);
            previous = t;
        }
        return Math.max(gap, toMillis - previous);
    }

    /** When the last commit was acknowledged, 0 if none was. */
    public long lastAckMillis() {
        return acked.stream().mapToLong(a -> a[2]).max().orElse(0);
    }

    /** Acknowledged commits after the given time. */
    public long ackedAfter(long millis) {
        return acked.stream().filter(a -> a[2] > millis).count();
    }

    public long errors() {
        return errors.get();
    }

    public long warnings() {
        return warnings.get();
    }

    /** Stops the writers and returns the acknowledged rows that are not there, read through {@code checkUrl}. */
    public List<String> missing(String checkUrl) throws SQLException {
        close();
        Set<Long> present = new HashSet<>();
        SQLException last = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            try (Connection c = DriverManager.getConnection(checkUrl); Statement st = c.createStatement()) {
                ResultSet rs = st.executeQuery("SELECT w, seq FROM " + table);
                present.clear();
                while (rs.next()) {
                    present.add(rs.getLong(1) << 40 | rs.getLong(2));
                }
                last = null;
                break;
            } catch (SQLException e) {
                last = e;
                Quietly.pause(500);
            }
        }
        if (last != null) {
            throw last;
        }
        List<String> lost = new ArrayList<>();
        for (long[] a : acked) {
            if (!present.contains(a[0] << 40 | a[1])) {
                lost.add("writer " + a[0] + " seq " + a[1] + " acknowledged at " + a[2]);
            }
        }
        return lost;
    }

    @Override
    public void close() {
        running = false;
        for (Thread t : threads) {
            try {
                t.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }


}
