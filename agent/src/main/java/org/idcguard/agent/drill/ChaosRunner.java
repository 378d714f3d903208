package org.idcguard.agent.drill;

import java.io.PrintStream;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.idcguard.model.ClusterDetail;
import org.idcguard.model.GroupView;
import org.idcguard.model.NodeView;

/**
 * A soak in Jepsen's manner: the probe workload writes all along while random faults hit the cluster one after
 * another, each followed by a wait for full protection; at the end every acknowledged write is looked for. The
 * checker is the history of acknowledged writes, never the timing. The same seed gives the same faults in the same
 * order.
 */
public final class ChaosRunner {
    private static final long RECOVERY_LIMIT_MILLIS = 180_000;
    /** Two probe intervals at the default settings. */
    private static final long SETTLE_MILLIS = 1000;
    private final ClusterAccess access;
    private final PrintStream out;
    private final Random random;
    private final boolean cutsAllowed = NetworkCut.available();

    /** One kind of fault, with how it is applied and undone. */
    enum Fault { POWER_OFF, FREEZE, FREEZE_BACKUP, KILL_ONE_PRIMARY, BACKUP_IDC_LOST, MANAGER_KILLED, MANAGER_KILLED_MID_TAKEOVER, PARTITION }

    /** What the soak saw, fault by fault. */
    public record Report(List<String> faults, long acked, long lost, long errors, long slowestRecoveryMillis, String slowest,
                         boolean recoveredEveryTime) {
    }

    public ChaosRunner(ClusterAccess access, PrintStream out, long seed) {
        this.access = access;
        this.out = out;
        this.random = new Random(seed);
    }

    public Report run(String cluster, long minutes) throws SQLException {
        long end = System.currentTimeMillis() + minutes * 60_000;
        awaitProtection(cluster);
        ProbeWorkload probe = new ProbeWorkload(access.detail(cluster).uris().jdbc());
        probe.prepare();
        probe.start();
        List<String> faults = new ArrayList<>();
        List<long[]> spans = new ArrayList<>(); // start and end of each fault's recovery, to place a lost write
        long slowest = 0;
        String slowestFault = "-";
        boolean recovered = true;
        ProbeReport report;
        try {
            while (System.currentTimeMillis() < end) {
                Fault fault = pick();
                long started = System.currentTimeMillis();
                String what = apply(cluster, fault);
                long recovery;
                try {
                    sleep(SETTLE_MILLIS); // the manager's view is its last probe's: let it see the fault first
                    awaitProtection(cluster);
                    recovery = System.currentTimeMillis() - started;
                } catch (IllegalStateException e) {
                    recovered = false;
                    out.println("fault " + (faults.size() + 1) + ": " + what + " -> not recovered: " + e.getMessage());
                    faults.add(what + " (not recovered)");
                    break;
                }
                faults.add(what);
                spans.add(new long[] {started, started + recovery});
                out.println("fault " + faults.size() + " at " + clock(started) + ": " + what + " -> fully protected after " + recovery + " ms; acked so far "
                        + probe.ackedCount());
                out.flush();
                if (recovery > slowest) {
                    slowest = recovery;
                    slowestFault = what;
                }
                sleep(1000 + random.nextInt(2000));
            }
        } finally {
            report = probe.stop();
        }
        Report r = new Report(faults, report.acked(), report.missing(), report.errors(), slowest, slowestFault, recovered);
        for (ProbeReport.LostWrite w : report.lost()) {
            out.println("lost: write " + w.seq() + " into " + w.partition() + ", acknowledged at " + clock(w.acknowledgedMillis())
                    + ", " + placed(w.acknowledgedMillis(), spans, faults));
        }
        out.println("chaos: faults=" + faults.size() + " acked=" + r.acked() + " lost=" + r.lost() + " errors=" + r.errors()
                + " slowest_recovery_ms=" + slowest + " (" + slowestFault + ")");
        return r;
    }

    /** Which fault a moment fell in, or which it followed. */
    static String placed(long at, List<long[]> spans, List<String> faults) {
        for (int i = spans.size() - 1; i >= 0; i--) {
            if (at >= spans.get(i)[0]) {
                String where = at <= spans.get(i)[1] ? "during fault " : (at - spans.get(i)[1]) + " ms after recovery from fault ";
                return where + (i + 1) + " (" + faults.get(i) + ")";
            }
        }
        return "before the first fault";
    }

    private static String clock(long millis) {
        return java.time.LocalTime.ofInstant(java.time.Instant.ofEpochMilli(millis), java.time.ZoneOffset.UTC).toString() + "Z";
    }

    private Fault pick() {
        while (true) {
            Fault f = Fault.values()[random.nextInt(Fault.values().length)];
            boolean managerFault = f == Fault.MANAGER_KILLED || f == Fault.MANAGER_KILLED_MID_TAKEOVER;
            if ((!managerFault || access.managerRestartable()) && (f != Fault.PARTITION || cutsAllowed)) {
                return f;
            }
        }
    }

    /** Applies the fault, undoes it when its time is up, and says what it was. */
    private String apply(String cluster, Fault fault) {
        ClusterDetail d = access.detail(cluster);
        String primaryIdc = d.summary().primaryIdc();
        String backupIdc = d.summary().backupIdc();
        switch (fault) {
            case POWER_OFF -> {
                long down = 2000 + random.nextInt(4000);
                IdcFault f = new IdcFault(IdcFault.Kind.POWER_OFF, access.computersOf(primaryIdc));
                f.apply();
                sleep(down);
                access.computersOf(primaryIdc).forEach(access::restartNodeAgent);
                return "power-off of primary IDC " + primaryIdc + " for " + down + " ms";
            }
            case FREEZE, FREEZE_BACKUP -> {
                String idc = fault == Fault.FREEZE ? primaryIdc : backupIdc;
                long frozen = 500 + random.nextInt(5500);
                IdcFault f = new IdcFault(IdcFault.Kind.FREEZE, access.computersOf(idc));
                f.apply();
                try {
                    sleep(frozen);
                } finally {
                    f.restore();
                }
                return "freeze of " + (fault == Fault.FREEZE ? "primary" : "backup") + " IDC " + idc + " for " + frozen + " ms";
            }
            case KILL_ONE_PRIMARY -> {
                GroupView g = d.groups().get(random.nextInt(d.groups().size()));
                NodeView p = ClusterHealth.primary(g).orElseThrow();
                ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroyForcibly);
                return "SIGKILL of " + g.name() + "'s primary " + p.name() + " (pid " + p.pid() + ")";
            }
            case BACKUP_IDC_LOST -> {
                long down = 3000 + random.nextInt(5000);
                new IdcFault(IdcFault.Kind.POWER_OFF, access.computersOf(backupIdc)).apply();
                sleep(down);
                access.computersOf(backupIdc).forEach(access::restartNodeAgent);
                return "backup IDC " + backupIdc + " lost for " + down + " ms";
            }
            case MANAGER_KILLED -> {
                long gone = 1000 + random.nextInt(2000);
                access.killManager();
                sleep(gone);
                access.startManager();
                return "manager SIGKILLed, back after " + gone + " ms";
            }
            case MANAGER_KILLED_MID_TAKEOVER -> {
                long after = 1500 + random.nextInt(1500);
                new IdcFault(IdcFault.Kind.POWER_OFF, access.computersOf(primaryIdc)).apply();
                sleep(after);
                access.killManager();
                access.startManager();
                sleep(3000);
                access.computersOf(primaryIdc).forEach(access::restartNodeAgent);
                return "power-off of primary IDC " + primaryIdc + ", manager SIGKILLed " + after + " ms later";
            }
            case PARTITION -> {
                long cut = 3000 + random.nextInt(5000);
                try (NetworkCut c = new NetworkCut(access.computersOf(primaryIdc))) {
                    sleep(cut);
                }
                return "manager (and every root process here) cut off from primary IDC " + primaryIdc + " for " + cut + " ms";
            }
            default -> throw new IllegalStateException("unknown fault " + fault);
        }
    }

    private void awaitProtection(String cluster) {
        ClusterHealth.await(access, cluster, ClusterHealth::fullyProtected, RECOVERY_LIMIT_MILLIS, "full protection");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
