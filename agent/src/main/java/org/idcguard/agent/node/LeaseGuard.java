package org.idcguard.agent.node;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.idcguard.model.InstanceStatus;
import org.idcguard.model.RoleLease;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A primary acknowledges commits only while it holds a lease (DESIGN "Leases and fencing"). This computer's side of it:
 * each primary's lease deadline is kept in its data directory, where the {@code idcguard_lease} library reads it at
 * every commit and refuses the commit, or withholds its acknowledgement, once it has run out; and a primary whose lease
 * ran out is stopped.
 *
 * <p>The manager's lease holds for its failure window from issue and is renewed every probe interval. While it is out
 * (the manager cut off, paused or restarting), the lease is extended here by one window at a time, Patroni's failsafe,
 * only while the primary shows it is not alone: a standby its commits wait for streams from it (so its commits are
 * still safe in the other IDC and its group has not been taken over: a takeover detaches that standby first), and every
 * DR-city standby of its group streams from it too (so the DBA has not promoted the DR city: that promotion detaches
 * them first). A manager cut off alone so never takes a healthy city's writes away, while a main city cut off from the
 * manager and the DR city, or frozen and thawed after the DR city was promoted, stops acknowledging by itself.
 */
final class LeaseGuard implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LeaseGuard.class);
    /** How often deadlines are looked at: well inside the shortest failure window. */
    static final long CHECK_MILLIS = 100;
    private final PgInstances instances;
    private final LeaseFiles files;
    /** Per primary leased here: its deadline (monotonic ms) and the window of the last lease. */
    private final Map<String, Held> held = new ConcurrentHashMap<>();
    private volatile RoleLease last = new RoleLease(0, 0, List.of());
    private long lastEpoch;
    /** Primaries being stopped because their lease ran out, one stop at a time, off the checking thread. */
    private final Set<String> stopping = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.ExecutorService fencer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "lease-fence");
        t.setDaemon(true);
        return t;
    });
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "lease-guard");
        t.setDaemon(true);
        return t;
    });

    private record Held(long deadline, long window) {
    }

    LeaseGuard(PgInstances instances) {
        this.instances = instances;
        this.files = new LeaseFiles(instances::writeLease);
    }

    void start() {
        timer.scheduleWithFixedDelay(this::checkSafely, CHECK_MILLIS, CHECK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** A lease from the manager. Instances it no longer names lose theirs at once: the manager deposed them. */
    synchronized void grant(RoleLease lease, long epoch) {
        if (!lease.supersedes(last, lastEpoch, epoch)) {
            return; // an older lease read late from a socket
        }
        last = lease;
        lastEpoch = Math.max(lastEpoch, epoch);
        long remaining = Math.min(lease.validMillis(), lease.issuedAtMillis() + lease.validMillis() - System.currentTimeMillis());
        long deadline = monotonicMillis() + Math.max(0, remaining);
        for (String name : lease.primaries()) {
            write(name, deadline);
            held.put(name, new Held(deadline, lease.validMillis()));
        }
        for (String name : new HashSet<>(held.keySet())) {
            if (!lease.primaries().contains(name) && held.get(name).deadline() != 0) {
                write(name, 0);
                held.put(name, new Held(0, held.get(name).window()));
            }
        }
    }

    private void checkSafely() {
        try {
            check();
        } catch (RuntimeException e) {
            log.warn("Checking the primaries' leases failed: {}", e.getMessage(), e);
        }
    }

    /**
     * Extends what the failsafe allows; stops a primary whose lease ran out. The failsafe's look at the primary (a
     * session to it, up to a second or two when it hangs) is taken outside the lock, so a lease from the manager is
     * never kept waiting behind it: one that came meanwhile decides instead.
     *
     * <p>Looks begin half a window before the deadline and are retried every check, so one slow session on a loaded
     * computer does not end a witnessed primary: it stopped a healthy primary once, the manager alone being cut off from
     * its IDC, and its group was taken over for nothing. A primary is stopped once its deadline has passed and either a
     * look shows it alone, or no look could confirm it for a further window; meanwhile the library already refuses its
     * commits, and that further window is the failsafe extension a DR promotion waits out before it promotes.
     */
    private void check() {
        for (String name : List.copyOf(held.keySet())) {
            Held h;
            RoleLease lease;
            synchronized (this) {
                h = held.get(name);
                lease = last;
                if (h == null || monotonicMillis() + h.window() / 2 < h.deadline()) {
                    continue; // the manager's lease (or the last extension) still holds for a while
                }
            }
            Optional<InstanceStatus> status = instances.find(name);
            boolean acknowledgesNothing = status.isEmpty() || !status.get().running() || status.get().standby();
            boolean stillNamed = lease.primaries().contains(name);
            long lookedAt = monotonicMillis(); // what the look below sees holds from here at the latest
            Look look = acknowledgesNothing || !stillNamed ? Look.ALONE : look(name, lease.witnessesOf(name));
            boolean stop = false;
            synchronized (this) {
                if (held.get(name) != h || last != lease) {
                    continue; // a lease came meanwhile: the next check starts from it
                }
                long now = monotonicMillis();
                if (acknowledgesNothing) {
                    held.remove(name); // gone, stopped or a standby: it acknowledges nothing
                } else if (look == Look.WITNESSED) {
                    long deadline = lookedAt + h.window();
                    write(name, deadline);
                    held.put(name, new Held(deadline, h.window()));
                } else {
                    stop = now >= h.deadline() && (look == Look.ALONE || now >= h.deadline() + h.window());
                }
            }
            if (stop && stopping.add(name)) {
                // Outside the lock and off this thread: a fast shutdown may take its checkpoint's time, and meanwhile the
                // leases of this computer's other primaries must go on being written and extended (a file left unwritten
                // looks like a dead node agent to the manager, and its commits are refused). Its own lease has run out:
                // the library refuses its commits while it stops.
                fencer.execute(() -> {
                    try {
                        fence(name, stillNamed);
                    } finally {
                        stopping.remove(name);
                    }
                });
            }
        }
    }

    /** What one look at a primary shows: it is witnessed, it is alone, or the look itself failed. */
    enum Look { WITNESSED, ALONE, UNSEEN }

    /**
     * Witnessed when a standby its commits wait for streams from it (or it waits for none: then the manager promotes
     * nobody in its place, having no standby recorded as holding its commits), and every DR-city standby of its group
     * streams from it.
     */
    private Look look(String name, List<String> witnesses) {
        Set<String> streaming = new HashSet<>();
        boolean confirmed;
        try (Connection db = instances.quickSession(name); Statement st = db.createStatement()) {
            ResultSet names = st.executeQuery("SELECT current_setting('synchronous_standby_names') = ''");
            names.next();
            confirmed = names.getBoolean(1);
            ResultSet rs = st.executeQuery("SELECT application_name, sync_state FROM pg_stat_replication WHERE state = 'streaming'");
            while (rs.next()) {
                streaming.add(rs.getString(1));
                confirmed |= List.of("sync", "quorum").contains(rs.getString(2));
            }
        } catch (SQLException e) {
            return Look.UNSEEN; // nothing confirms it, nothing shows it alone
        }
        return confirmed && streaming.containsAll(witnesses) ? Look.WITNESSED : Look.ALONE;
    }

    private void fence(String name, boolean stillNamed) {
        log.warn("The lease of primary {} ran out ({}) and {}: stopping it so that it acknowledges nothing more.", name,
                stillNamed ? "the manager has not renewed it" : "the manager no longer records it as primary",
                "no standby its commits wait for, or not every DR-city standby of its group, streams from it");
        try {
            instances.stop(name, "fast");
        } catch (RuntimeException e) {
            log.warn("Stopping {} failed: {}; its lease file keeps refusing commits.", name, e.getMessage());
            return;
        }
        synchronized (this) {
            held.remove(name);
        }
    }

    /** Never waits here: a file is written on its instance's own thread (see {@link LeaseFiles}). */
    private void write(String name, long deadline) {
        files.write(name, deadline);
    }

    static long monotonicMillis() {
        return System.nanoTime() / 1_000_000; // CLOCK_MONOTONIC on Linux: the clock the library reads
    }

    @Override
    public void close() {
        timer.shutdownNow();
        fencer.shutdownNow();
        files.close();
    }
}
