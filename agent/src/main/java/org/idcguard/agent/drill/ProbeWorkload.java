package org.idcguard.agent.drill;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The probe workload of DESIGN "Drills": a client loop through the coordinator's multi-host JDBC URL, one committed
 * INSERT of a sequence number and one point SELECT per tick, into a table hash-partitioned over every shard. Every
 * acknowledged id and every error is kept with its time; afterwards the acknowledged ids are looked for.
 *
 * <p>The client settings are the printed URI's, unchanged: the probe sees what an application using that URI sees
 * (a statement hung on a frozen primary gives up after the URI's socket timeout, as the application's would).
 */
public final class ProbeWorkload implements AutoCloseable {
    public static final String TABLE = "idcguard_probe";
    private volatile List<Long> lostAcks = List.of();
    private volatile List<long[]> lostWrites = List.of();
    private static final long TICK_MILLIS = 10;
    private final String url;
    /** Reading every acknowledged id back may take longer than one probe statement may. */
    private final String checkUrl;
    private final Properties props = new Properties();
    private final long run = System.currentTimeMillis();
    private final List<long[]> acked = new ArrayList<>();
    private final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    private final List<Long> errorTimes = new ArrayList<>();
    private final Thread loop = new Thread(this::loop, "probe-workload");
    private volatile boolean running;
    private volatile int errorCount;
    private volatile long lastErrorMillis;
    private volatile long stoppedMillis;
    private volatile long endedMillis;

    public ProbeWorkload(String jdbcUrl) {
        this.url = jdbcUrl;
        this.checkUrl = url.replaceAll("([?&])socketTimeout=\\d+", "$1socketTimeout=60");
        props.setProperty("ApplicationName", "idcguard-probe-workload");
    }

    /** Creates the probe table, spread over every shard, unless it exists. */
    public void prepare() throws SQLException {
        try (Connection c = DriverManager.getConnection(url, props); Statement st = c.createStatement()) {
            ResultSet rs = st.executeQuery("SELECT to_regclass('" + TABLE + "') IS NOT NULL");
            rs.next();
            if (!rs.getBoolean(1)) {
                st.execute("SELECT idcguard_create_sharded_table('" + TABLE + "', 'run bigint NOT NULL, seq bigint NOT NULL, "
                        + "at timestamptz NOT NULL DEFAULT now()', 'seq', 0, 'run, seq')");
            }
        }
    }

    public void start() {
        running = true;
        loop.setDaemon(true);
        loop.start();
    }

    private void loop() {
        long seq = 0;
        Connection c = null;
        while (running) {
            try {
                if (c == null) {
                    c = DriverManager.getConnection(url, props);
                }
                seq++;
                try (PreparedStatement insert = c.prepareStatement("INSERT INTO " + TABLE + " (run, seq) VALUES (?, ?)")) {
                    insert.setLong(1, run);
                    insert.setLong(2, seq);
                    insert.executeUpdate();
                    if (insert.getWarnings() != null) {
                        // PostgreSQL reports a commit whose wait for a standby was cancelled as done, with a warning:
                        // it may exist on the primary alone, so it is not an acknowledged write
                        throw new SQLException("The commit of " + seq + " returned a warning (" + insert.getWarnings().getMessage()
                                + "): not counted as acknowledged.");
                    }
                }
                long at = System.currentTimeMillis();
                synchronized (acked) {
                    acked.add(new long[] {seq, at});
                }
                try (PreparedStatement select = c.prepareStatement("SELECT at FROM " + TABLE + " WHERE run = ? AND seq = ?")) {
                    select.setLong(1, run);
                    select.setLong(2, seq);
                    select.executeQuery().close();
                }
                Quietly.pause(TICK_MILLIS);
            } catch (SQLException e) {
                errorCount++;
                lastErrorMillis = System.currentTimeMillis();
                synchronized (acked) {
                    errorTimes.add(lastErrorMillis);
                }
                if (errors.size() < 1000) {
                    errors.add(System.currentTimeMillis() + " " + e.getMessage());
                }
                Quietly.close(c);
                c = null;
                Quietly.pause(50);
            }
        }
        Quietly.close(c);
    }

    /** Stops the loop and returns what it saw, having looked up every acknowledged id. */
    public ProbeReport stop() throws SQLException {
        running = false;
        stoppedMillis = System.currentTimeMillis();
        try {
            loop.join(15_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        endedMillis = System.currentTimeMillis(); // a write in flight at the stop may be acknowledged after it
        List<long[]> copy;
        synchronized (acked) {
            copy = new ArrayList<>(acked);
        }
        Set<Long> present = new HashSet<>();
        java.util.Map<String, Long> perShard = new java.util.TreeMap<>();
        lookUp(present, perShard);
        long missing = copy.stream().filter(a -> !present.contains(a[0])).count();
        lostAcks = copy.stream().filter(a -> !present.contains(a[0])).map(a -> a[1]).toList();
        lostWrites = copy.stream().filter(a -> !present.contains(a[0])).toList();
        List<ProbeReport.LostWrite> lost = copy.stream().filter(a -> !present.contains(a[0])).limit(20)
                .map(a -> new ProbeReport.LostWrite(a[0], a[1], partitionOf(a[0]))).toList();
        // a stall still open when the probe stops counts up to the stop, not only gaps between acknowledgements
        return new ProbeReport(copy.size(), errorCount, ProbeReport.longestGap(copy, stoppedMillis), missing, List.copyOf(errors),
                java.util.Map.copyOf(perShard), lost);
    }

    /**
     * Reads this run's rows through the coordinator (asking again while it is busy or failing over): the ids present,
     * and how many rows each partition holds.
     */
    private void lookUp(Set<Long> present, java.util.Map<String, Long> perShard) throws SQLException {
        SQLException last = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            present.clear();
            perShard.clear();
            try (Connection c = DriverManager.getConnection(checkUrl, props);
                 PreparedStatement st = c.prepareStatement("SELECT seq FROM " + TABLE + " WHERE run = ?");
                 PreparedStatement shards = c.prepareStatement("SELECT tableoid::regclass::text, count(*) FROM " + TABLE
                         + " WHERE run = ? GROUP BY 1")) {
                st.setLong(1, run);
                ResultSet rs = st.executeQuery();
                while (rs.next()) {
                    present.add(rs.getLong(1));
                }
                // each partition lives on one shard: where the rows are is checked shard by shard
                shards.setLong(1, run);
                ResultSet counts = shards.executeQuery();
                while (counts.next()) {
                    perShard.put(counts.getString(1), counts.getLong(2));
                }
                return;
            } catch (SQLException e) {
                last = e;
                Quietly.pause(500);
            }
        }
        throw last;
    }

    /**
     * While the probe writes: the ids acknowledged so far that cannot be found now. A soak looks before a fault that
     * may lose writes by design (a DR promotion), so that what was missing already is not put down to it.
     */
    public Set<Long> missingNow() throws SQLException {
        List<long[]> copy;
        synchronized (acked) {
            copy = new ArrayList<>(acked);
        }
        Set<Long> present = new HashSet<>();
        lookUp(present, new java.util.TreeMap<>());
        Set<Long> missing = new HashSet<>();
        copy.stream().filter(a -> !present.contains(a[0])).forEach(a -> missing.add(a[0]));
        return missing;
    }

    /** After {@link #stop}: every lost write, as {sequence number, acknowledged at}. */
    public List<long[]> lostWrites() {
        return lostWrites;
    }

    /** The partition (so the shard) a sequence number belongs to, as the coordinator's planner prunes to it. */
    String partitionOf(long seq) {
        try (Connection c = DriverManager.getConnection(checkUrl, props);
             PreparedStatement st = c.prepareStatement("EXPLAIN SELECT 1 FROM " + TABLE + " WHERE seq = " + seq)) {
            ResultSet rs = st.executeQuery();
            while (rs.next()) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("Scan on (\\S+)").matcher(rs.getString(1));
                if (m.find()) {
                    return m.group(1);
                }
            }
            return "?";
        } catch (SQLException e) {
            return "? (" + e.getMessage() + ")";
        }
    }

    /** After {@link #stop}: how many of the lost writes had been acknowledged after this moment. */
    public long lostAckedAfter(long millis) {
        return lostAcks.stream().filter(t -> t > millis).count();
    }

    /** Milliseconds of the last acknowledged write, 0 if none yet. */
    public long lastAckMillis() {
        synchronized (acked) {
            return acked.isEmpty() ? 0 : acked.get(acked.size() - 1)[1];
        }
    }

    /**
     * Whether writes flow normally now: over the last {@code windowMillis} every write was acknowledged with no gap
     * longer than {@code maxGapMillis} (counting up to now) and nothing failed.
     */
    public boolean flowing(long windowMillis, long maxGapMillis) {
        long now = System.currentTimeMillis();
        long from = now - windowMillis;
        if (lastErrorMillis >= from) {
            return false;
        }
        synchronized (acked) {
            long previous = -1;
            for (int i = acked.size() - 1; i >= 0; i--) {
                long at = acked.get(i)[1];
                if ((previous < 0 ? now : previous) - at > maxGapMillis) {
                    return false;
                }
                if (at < from) {
                    return true;
                }
                previous = at;
            }
            return false;
        }
    }

    /**
     * Acknowledged writes and errors per bucket of {@code bucketMillis} from {@code from} until {@code to}: the
     * strip a drill's timeline draws.
     */
    public Series series(long from, int bucketMillis, long to) {
        int buckets = (int) Math.max(0, (to - from + bucketMillis - 1) / bucketMillis);
        int[] acks = new int[buckets];
        int[] fails = new int[buckets];
        synchronized (acked) {
            acked.forEach(a -> count(acks, a[1], from, to, bucketMillis));
            errorTimes.forEach(at -> count(fails, at, from, to, bucketMillis));
        }
        return new Series(java.util.Arrays.stream(acks).boxed().toList(), java.util.Arrays.stream(fails).boxed().toList());
    }

    /** Writes and errors per bucket. */
    public record Series(List<Integer> acks, List<Integer> errors) {
    }

    private static void count(int[] buckets, long at, long from, long to, int bucketMillis) {
        if (at >= from && at < to) {
            buckets[(int) ((at - from) / bucketMillis)]++;
        }
    }

    /** When the probe's loop had ended after a stop (its last write acknowledged or failed), 0 before. */
    public long endedMillis() {
        return endedMillis;
    }

    /** When the probe began writing. */
    public long startedMillis() {
        return run;
    }

    public int ackedCount() {
        synchronized (acked) {
            return acked.size();
        }
    }

    @Override
    public void close() {
        running = false;
    }


}
