package org.idcguard.agent.manager.cluster;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The manager epoch kept on each node, for the changes the manager makes over SQL (the node agent keeps its own for
 * HTTP commands, {@code EpochFence}). A leader that was paused after {@link PgSession#checkMayChange()} and wakes deposed
 * must not promote a node or change what its commits wait for once a newer leader has acted on it.
 *
 * <p>The fence is the setting {@code idcguard.epoch} in the node's postgresql.auto.conf (ALTER SYSTEM: durable, and
 * writable on a standby, unlike a table). A session reads it from the file through {@code pg_file_settings}, which parses
 * the files at each call: a backend's own view of a setting changes only when it applies a reload between commands.
 *
 * <p>ALTER SYSTEM cannot run in a transaction block, so a check and the change after it cannot be one statement. The
 * raise closes the gap instead: a newer leader writes its epoch, then ends (and waits out) every session of an older
 * leader that was open before it wrote, then reloads. A deposed leader's session either did all it was going to before
 * the raise returned, or is gone; one opened later reads the newer epoch and changes nothing. Leaders' sessions say
 * their epoch in their application name ({@link PgSession#open}) for this. The reload applies whatever an ended session
 * wrote with ALTER SYSTEM but had not reloaded, so the node runs what its file says before the new leader looks at it.
 *
 * <p>A sole manager (epoch 0) has no rival: nothing is read or written, as node agents admit commands without an epoch.
 */
public final class NodeEpoch {
    private static final Logger log = LoggerFactory.getLogger(NodeEpoch.class);
    /** The setting that holds the fence on a node. */
    static final String SETTING = "idcguard.epoch";
    /** A leader's sessions are named this followed by its epoch. */
    static final String APPLICATION_PREFIX = "idcguard-manager epoch ";
    private static final String READ = "SELECT coalesce(max(setting::bigint), 0) FROM pg_file_settings WHERE name = '"
            + SETTING + "'";
    /** How long a raise waits for each older session it ends to be gone. */
    private static final int END_WAIT_MILLIS = 5000;
    /** Raises that keep finding the fence lowered again by older leaders give up; the caller's next round retries. */
    private static final int RAISE_ATTEMPTS = 5;
    /** The nodes this process raised the fence on, per epoch: only then may its changes rely on the fence alone. */
    private static final Set<String> raised = ConcurrentHashMap.newKeySet();
    /** One raise at a time per node within this process, so that its own raises never interleave. */
    private static final Map<String, Object> raising = new ConcurrentHashMap<>();

    private NodeEpoch() {
    }

    /**
     * Called on the session that is about to change the node, before the change: refused unless this manager leads and
     * no newer epoch fenced the node. The first time per node and epoch (or when the node's file lost the mark, e.g.
     * it was made again), the fence is raised to this epoch first.
     */
    public static void admit(Connection db) throws SQLException {
        PgSession.checkMayChange();
        long mine = PgSession.epoch();
        if (mine <= 0) {
            return;
        }
        long fence = read(db);
        if (fence > mine) {
            throw deposed(fence, mine);
        }
        if (fence < mine || !raised.contains(key(db, mine))) {
            raise(db);
        }
    }

    /**
     * Raises the node's fence to this manager's epoch and ends the older leaders' sessions on it; returns once no older
     * leader can change the node any more. Refused when a newer epoch fenced it.
     */
    public static void raise(Connection db) throws SQLException {
        long mine = PgSession.epoch();
        if (mine <= 0) {
            return;
        }
        String key = key(db, mine);
        synchronized (raising.computeIfAbsent(key, k -> new Object())) {
            try (Statement st = db.createStatement()) {
                st.setQueryTimeout(10);
                for (int attempt = 1; attempt <= RAISE_ATTEMPTS; attempt++) {
                    long fence = read(st);
                    if (fence > mine) {
                        throw deposed(fence, mine);
                    }
                    if (fence < mine) {
                        // ALTER SYSTEM of a custom setting needs it defined in this session (PostgreSQL 15 refuses an
                        // unknown one); a node that never had the fence does not define it
                        st.execute("SELECT set_config('" + SETTING + "', '" + mine + "', false)");
                        st.execute("ALTER SYSTEM SET " + SETTING + " = '" + mine + "'");
                    }
                    endOlderSessions(db, mine);
                    // an older leader's raise that read before ours may have written after it: look again
                    ResultSet rs = st.executeQuery("SELECT pg_reload_conf(), (" + READ + ")");
                    rs.next();
                    long now = rs.getLong(2);
                    if (now == mine) {
                        raised.add(key);
                        return;
                    }
                    if (now > mine) {
                        throw deposed(now, mine);
                    }
                }
            }
        }
        throw new SQLException("The manager epoch " + mine + " could not be kept on the node: older leaders lowered it "
                + RAISE_ATTEMPTS + " times in a row.");
    }

    /**
     * Ends the sessions of older leaders opened before this statement (so before the epoch was written), and waits
     * until each is gone. One opened later reads the epoch written before it, so it is left alone.
     */
    private static void endOlderSessions(Connection db, long mine) throws SQLException {
        Array victims;
        try (PreparedStatement st = db.prepareStatement("SELECT coalesce(array_agg(pid), '{}') FROM (SELECT pid, "
                + "pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                + "AND backend_start < statement_timestamp() AND application_name ~ ? "
                + "AND substr(application_name, ?)::bigint < ?) ended")) {
            st.setString(1, "^" + APPLICATION_PREFIX + "[0-9]{1,18}$");
            st.setInt(2, APPLICATION_PREFIX.length() + 1);
            st.setLong(3, mine);
            ResultSet rs = st.executeQuery();
            rs.next();
            victims = rs.getArray(1);
        }
        if (((Object[]) victims.getArray()).length == 0) {
            return;
        }
        // Gone from pg_stat_activity means the backend is exiting: it runs no further statement, and what it was
        // running is done or never happened. Polled here rather than with pg_terminate_backend's own wait, which looks
        // only every 100 ms.
        long deadline = System.currentTimeMillis() + END_WAIT_MILLIS;
        try (PreparedStatement st = db.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY (?)")) {
            st.setArray(1, victims);
            while (true) {
                ResultSet rs = st.executeQuery();
                rs.next();
                if (rs.getLong(1) == 0) {
                    return;
                }
                if (System.currentTimeMillis() > deadline) {
                    throw new SQLException("Sessions " + java.util.Arrays.toString((Object[]) victims.getArray())
                            + " of an older manager epoch did not end within " + END_WAIT_MILLIS + " ms: epoch " + mine
                            + " does not hold on the node yet.");
                }
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SQLException("Interrupted while the manager epoch was being raised.");
                }
            }
        }
    }

    /**
     * Raises the fence on every node at once, in the background, when this manager takes the lead: a deposed leader
     * is stopped everywhere, not only on the nodes the new one happens to change. A node that does not answer now is
     * raised by {@link #admit} before anything is changed on it.
     */
    public static void raiseEverywhere(List<Map.Entry<ClusterRecord, NodeRecord>> nodes) {
        if (PgSession.epoch() <= 0 || nodes.isEmpty()) {
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(16, nodes.size()), r -> {
            Thread t = new Thread(r, "epoch-fence");
            t.setDaemon(true);
            return t;
        });
        for (Map.Entry<ClusterRecord, NodeRecord> n : nodes) {
            pool.execute(() -> {
                try (Connection db = PgSession.admin(n.getKey(), n.getValue(), "postgres")) {
                    PgSession.checkMayChange();
                    raise(db);
                } catch (SQLException e) {
                    log.info("The manager epoch is not raised on {} yet ({}); it will be before it is changed.",
                            n.getValue().name(), e.getMessage());
                }
            });
        }
        pool.shutdown();
    }

    private static long read(Connection db) throws SQLException {
        try (Statement st = db.createStatement()) {
            return read(st);
        }
    }

    private static long read(Statement st) throws SQLException {
        ResultSet rs = st.executeQuery(READ);
        rs.next();
        return rs.getLong(1);
    }

    private static String key(Connection db, long epoch) throws SQLException {
        return epoch + "@" + db.getMetaData().getURL();
    }

    private static SQLException deposed(long fence, long mine) {
        return new SQLException("This manager leads in epoch " + mine + ", deposed: the leader of epoch " + fence
                + " fenced this node, so it changes nothing here.");
    }
}
