package org.idcguard.agent.drill;

import java.io.PrintStream;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.idcguard.model.ClusterDetail;
import org.idcguard.model.DrillRound;
import org.idcguard.model.Event;
import org.idcguard.model.RoundTimeline;

/**
 * Runs drill rounds: per round, wait for full protection, start the probe workload, apply the fault to every
 * computer of the IDC, wait for the takeover (no primary left in the IDC and writes acknowledged again), check every
 * acknowledged write, restore the IDC and wait until it has rejoined. When the IDC named is the cluster's primary
 * IDC, every round fails the primary IDC of that moment (after round 1 the roles are swapped), so each round is a
 * takeover.
 */
public final class DrillRunner {
    private static final long WARM_UP_MILLIS = 5000; // the probe and this JVM settle first: the round measures the engine, not our own start-up
    private static final long SETTLE_MILLIS = 1000;
    private static final long POLL_MILLIS = 100;
    /** Writes flow normally again once a second has passed with every write acknowledged within 250 ms. */
    private static final long FLOWING_WINDOW_MILLIS = 1000;
    private static final long FLOWING_GAP_MILLIS = 250;
    private static final long TAKEOVER_LIMIT_MILLIS = 60_000;
    private static final long REJOIN_LIMIT_MILLIS = 180_000;
    /** The width of one bucket of the probe's strip on a timeline. */
    public static final int BUCKET_MILLIS = 100;
    private final ClusterAccess access;
    private final PrintStream out;
    // What a console following the drill sees: written by the drill's thread, read by any.
    private volatile String cluster = "";
    private volatile String phase = "starting";
    private volatile int currentRound;
    private volatile ProbeWorkload probe;
    private volatile long faultAt;
    private volatile Disruption currentFault;
    private volatile long restoredAt;
    private volatile long roundMark;
    private final List<DrillRound> finished = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<RoundTimeline> timelines = new java.util.concurrent.CopyOnWriteArrayList<>();

    public DrillRunner(ClusterAccess access, PrintStream out) {
        this.access = access;
        this.out = out;
    }

    public List<DrillRound> run(String cluster, DrillKind kind, String idc, int rounds) throws SQLException {
        boolean followPrimary = followsPrimary(cluster, kind, idc);
        List<DrillRound> results = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            DrillRound r = nextRound(cluster, kind, idc, followPrimary, round);
            out.println(r.line());
            out.flush();
            results.add(r);
            if (!r.recovered()) {
                break;
            }
        }
        return results;
    }

    /**
     * Checks the IDC belongs to the cluster; true when it is the primary IDC, so that every round fails the primary IDC
     * of that moment.
     */
    public boolean followsPrimary(String cluster, DrillKind kind, String idc) {
        ClusterDetail start = access.detail(cluster);
        if (!idc.equals(start.summary().primaryIdc()) && !idc.equals(start.summary().backupIdc())) {
            throw new IllegalArgumentException("Cluster " + cluster + " has no node in IDC " + idc + ".");
        }
        if (kind == DrillKind.SWITCH && !idc.equals(start.summary().primaryIdc())) {
            throw new IllegalArgumentException("A switch drill moves the primary IDC away: name the primary IDC, "
                    + start.summary().primaryIdc() + ".");
        }
        return idc.equals(start.summary().primaryIdc());
    }

    /** Waits for full protection, then runs one round on the IDC named (or the primary IDC of now). */
    public DrillRound nextRound(String cluster, DrillKind kind, String idc, boolean followPrimary, int round)
            throws SQLException {
        this.cluster = cluster;
        currentRound = round;
        phase = "waiting for full protection";
        await(cluster, ClusterHealth::fullyProtected, REJOIN_LIMIT_MILLIS, "full protection before round " + round);
        String target = followPrimary ? access.detail(cluster).summary().primaryIdc() : idc;
        DrillRound r = round(cluster, kind, target, round);
        finished.add(r);
        return r;
    }

    private DrillRound round(String cluster, DrillKind kind, String idc, int round) throws SQLException {
        String faultName = kind.word();
        ClusterDetail before = access.detail(cluster);
        boolean primaryIdc = idc.equals(before.summary().primaryIdc());
        String otherIdc = idc.equals(before.summary().primaryIdc()) ? before.summary().backupIdc() : before.summary().primaryIdc();
        Disruption fault = kind == DrillKind.SWITCH ? new SwitchAway(cluster, otherIdc) : byAgents(kind, idc)
                ? new ByNodeAgents(kind, idc) : new IdcDown(kind.fault(), access.computersOf(idc), idc);
        ProbeWorkload probe = new ProbeWorkload(before.uris().jdbc());
        probe.prepare();
        phase = "warming up the probe";
        faultAt = 0;
        currentFault = null;
        restoredAt = 0;
        roundMark = lastEventId();
        this.probe = probe;
        probe.start();
        sleep(WARM_UP_MILLIS);
        long mark = lastEventId();
        phase = kind == DrillKind.SWITCH ? "switching the primary IDC from " + idc + " to " + otherIdc : "applying the " + faultName + " to " + idc;
        currentFault = fault;
        String refused = fault.apply();
        long faultAt = fault.struckAtMillis(); // the moment the signals went out (or the switch was asked for)
        this.faultAt = faultAt;
        phase = faultName + " of " + idc + ": waiting for writes to flow again";
        long takeover = -1;
        long flowing = -1;
        String problem = refused;
        try {
            long deadline = faultAt + TAKEOVER_LIMIT_MILLIS;
            boolean moved = !primaryIdc;
            // a round lasts until writes flow normally again, so a stall still open is measured, not cut off
            while (System.currentTimeMillis() < deadline && (!moved || flowing < 0)) {
                moved = moved || ClusterHealth.primariesOutside(access.detail(cluster), idc);
                // the clean second must lie wholly after the fault, or the writes just before a stall would pass for flow
                boolean afterFault = System.currentTimeMillis() - faultAt >= FLOWING_WINDOW_MILLIS;
                if (moved && afterFault && probe.flowing(FLOWING_WINDOW_MILLIS, FLOWING_GAP_MILLIS)) {
                    flowing = Math.max(0, System.currentTimeMillis() - FLOWING_WINDOW_MILLIS - faultAt);
                }
                sleep(POLL_MILLIS);
            }
            if (!moved && problem.isEmpty()) {
                problem = "no takeover within " + TAKEOVER_LIMIT_MILLIS / 1000 + " s";
            } else if (flowing < 0) {
                problem = "writes did not flow normally again within " + TAKEOVER_LIMIT_MILLIS / 1000 + " s";
            }
            if (primaryIdc && moved) {
                takeover = lastEvent(mark, fault.doneEvent()).map(at -> at - faultAt).orElse(-1L);
            }
            phase = "writes flow again; settling";
            sleep(SETTLE_MILLIS);
        } finally {
            ProbeReport report;
            try {
                report = probe.stop();
            } catch (SQLException e) {
                report = null;
                problem = (problem.isEmpty() ? "" : problem + "; ") + "the acknowledged writes could not be read back: " + e.getMessage();
            } finally {
                phase = "restoring " + idc;
                fault.restore();
            }
            long restoredAt = System.currentTimeMillis();
            this.restoredAt = restoredAt;
            phase = "waiting for " + idc + " to rejoin";
            long rejoin = -1;
            try {
                await(cluster, ClusterHealth::fullyProtected, REJOIN_LIMIT_MILLIS, "rejoin");
                rejoin = System.currentTimeMillis() - restoredAt;
            } catch (IllegalStateException e) {
                problem = problem.isEmpty() ? e.getMessage() : problem + "; " + e.getMessage();
            }
            timelines.add(timeline(round, probe, faultAt, restoredAt, roundMark));
            this.probe = null;
            boolean recovered = flowing >= 0 && (!primaryIdc || takeover >= 0) && rejoin >= 0;
            if (report == null) {
                return new DrillRound(round, faultName, idc, -1, -1, -1, -1, takeover, flowing, rejoin, false, problem);
            }
            return new DrillRound(round, faultName, idc, report.longestGapMillis(), report.missing(), report.acked(),
                    report.errors(), takeover, flowing, rejoin, recovered, problem, report.rowsPerShard());
        }
    }

    /** The rounds ended so far, each over time (for the report's timeline). */
    public List<RoundTimeline> timelines() {
        return List.copyOf(timelines);
    }

    /** The drill as it is now, for a console following it; current is null between rounds. */
    public Snapshot snapshot() {
        ProbeWorkload p = probe;
        Disruption applying = currentFault;
        long struck = faultAt > 0 ? faultAt : applying == null ? 0 : applying.struckAtMillis(); // known once the signals went out
        RoundTimeline current = p == null ? null : timeline(currentRound, p, struck, restoredAt, roundMark);
        return new Snapshot(currentRound, phase, List.copyOf(finished), current);
    }

    /** See {@link #snapshot()}. */
    public record Snapshot(int round, String phase, List<DrillRound> finished, RoundTimeline current) {
    }

    /** Marks the drill as ended, in words, for whoever follows it. */
    public void ended(String how) {
        phase = how;
    }

    private RoundTimeline timeline(int round, ProbeWorkload p, long faultAt, long restoredAt, long mark) {
        long to = p.endedMillis() > 0 ? p.endedMillis() + 1 : System.currentTimeMillis();
        ProbeWorkload.Series s = p.series(p.startedMillis(), BUCKET_MILLIS, to);
        List<Event> ofCluster = access.events(mark).stream().filter(this::concernsCluster).toList();
        return new RoundTimeline(round, p.startedMillis(), BUCKET_MILLIS, s.acks(), s.errors(), faultAt, restoredAt, ofCluster);
    }

    /** The cluster's own events and those of IDCs and computers; not other clusters'. */
    private boolean concernsCluster(Event e) {
        return e.subject().equals(cluster) || e.subject().startsWith(cluster + "/") || e.kind().startsWith("idc.")
                || e.kind().startsWith("computer.");
    }

    /** The id of the newest event, so that a round reads only the events of its own fault. */
    private long lastEventId() {
        long after = 0;
        while (true) {
            List<Event> page = access.events(after);
            if (page.isEmpty()) {
                return after;
            }
            after = page.get(page.size() - 1).id();
        }
    }

    /** When the manager recorded the last event of this kind since the mark: the takeover's or the switch's end. */
    private Optional<Long> lastEvent(long after, String kind) {
        return access.events(after).stream().filter(e -> e.kind().equals(kind)).map(Event::timeMillis).max(Long::compare);
    }

    /** What a round does to the cluster, and undoes after. */
    private interface Disruption {
        /** Applies it; returns why it was refused, or an empty string. */
        String apply();

        /** When it struck, 0 until it has. */
        long struckAtMillis();

        void restore();

        /** The manager's event that ends the takeover it causes. */
        String doneEvent();
    }

    /** An IDC powered off or frozen, then restored (a powered-off IDC's node agents are started again). */
    private final class IdcDown implements Disruption {
        private final IdcFault fault;
        private final List<String> computers;

        IdcDown(IdcFault.Kind kind, List<String> computers, String idc) {
            this.fault = new IdcFault(kind, computers, idc, access.managersHome().orElse(null));
            this.computers = computers;
        }

        @Override
        public String apply() {
            fault.apply();
            return "";
        }

        @Override
        public long struckAtMillis() {
            return fault.struckAtMillis();
        }

        @Override
        public void restore() {
            fault.restore();
            if (fault.kind() == IdcFault.Kind.POWER_OFF) {
                computers.forEach(access::restartNodeAgent);
            }
        }

        @Override
        public String doneEvent() {
            return "failover.done";
        }
    }

    /**
     * Whether the IDC's fault is applied by its node agents: always for a partition (nftables on each computer), and
     * for a power-off or freeze when their node agents do not run on this machine (computers of other hosts).
     */
    private boolean byAgents(DrillKind kind, String idc) {
        return kind == DrillKind.PARTITION || !access.computersOf(idc).stream().allMatch(a -> IdcFault.nodeAgent(a).isPresent());
    }

    /**
     * A fault applied by the IDC's node agents to their own computers. A freeze or partition lasts a fixed time, ended
     * by a timer on each computer (a frozen or cut-off computer may never hear "restore"); a power-off ends when the
     * computers are started again, which on other hosts is their service manager's work.
     */
    private final class ByNodeAgents implements Disruption {
        /** Longer than a takeover and the clean second after it, so the round sees the IDC lost until then. */
        static final int TIMED_SECONDS = 10;
        private static final long POWER_ON_LIMIT_MILLIS = 120_000;
        private final DrillKind kind;
        private final String idc;
        private volatile long struckAt;

        ByNodeAgents(DrillKind kind, String idc) {
            this.kind = kind;
            this.idc = idc;
        }

        @Override
        public String apply() {
            try {
                struckAt = access.faultByAgents(idc, kind.word(), TIMED_SECONDS);
                return "";
            } catch (RuntimeException e) {
                struckAt = System.currentTimeMillis();
                return "the " + kind.word() + " of " + idc + " was not applied: " + e.getMessage();
            }
        }

        @Override
        public long struckAtMillis() {
            return struckAt;
        }

        @Override
        public void restore() {
            if (kind == DrillKind.PARTITION) {
                access.restoreByAgents(idc);
            }
            if (kind == DrillKind.POWER_OFF) {
                long deadline = System.currentTimeMillis() + POWER_ON_LIMIT_MILLIS;
                while (!access.computersOf(idc).stream().allMatch(access::reachable)) {
                    if (System.currentTimeMillis() > deadline) {
                        throw new IllegalStateException("the computers of " + idc + " did not come back within "
                                + POWER_ON_LIMIT_MILLIS / 1000 + " s: start their node agents again");
                    }
                    sleep(POLL_MILLIS);
                }
                return;
            }
            long over = struckAt + TIMED_SECONDS * 1000L + 500;
            if (System.currentTimeMillis() < over) {
                sleep(over - System.currentTimeMillis()); // the timers on the computers end it then
            }
        }

        @Override
        public String doneEvent() {
            return "failover.done";
        }
    }

    /** A planned switch of the primary IDC, asked of the manager while the probe writes; nothing to restore. */
    private final class SwitchAway implements Disruption {
        private final String cluster;
        private final String to;
        private volatile long askedAt;

        SwitchAway(String cluster, String to) {
            this.cluster = cluster;
            this.to = to;
        }

        @Override
        public String apply() {
            askedAt = System.currentTimeMillis();
            try {
                access.switchPrimary(cluster, to);
                return "";
            } catch (RuntimeException e) {
                return "the switch to " + to + " failed: " + e.getMessage();
            }
        }

        @Override
        public long struckAtMillis() {
            return askedAt;
        }

        @Override
        public void restore() {
            // the switched cluster is the new normal: the next round switches back
        }

        @Override
        public String doneEvent() {
            return "switch.done";
        }
    }

    private void await(String cluster, Predicate<ClusterDetail> condition, long limitMillis, String what) {
        ClusterHealth.await(access, cluster, condition, limitMillis, what);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
