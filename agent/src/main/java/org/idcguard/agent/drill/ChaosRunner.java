package org.idcguard.agent.drill;

import java.io.PrintStream;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.idcguard.model.ClusterDetail;
import org.idcguard.model.GroupView;
import org.idcguard.model.NodeView;

/**
 * A soak in Jepsen's manner: the probe workload writes all along while random faults hit the cluster one after
 * another, each followed by a wait for full protection; at the end every acknowledged write is looked for. The
 * checker is the history of acknowledged writes, never the timing. The same seed gives the same faults in the same
 * order. A DR promotion loses by design what the DR city had not received; the {@link LossLedger} accounts those
 * writes to it, and any other missing write is a loss.
 */
public final class ChaosRunner {
    private static final long RECOVERY_LIMIT_MILLIS = 180_000;
    /** Two probe intervals at the default settings. */
    private static final long SETTLE_MILLIS = 1000;
    private final ClusterAccess access;
    private final PrintStream out;
    private final Random random;
    private final Set<ChaosFault> asked;
    private final boolean askedByName;
    private final LossLedger ledger = new LossLedger();

    /**
     * What the soak saw, fault by fault.
     *
     * @param lost          acknowledged writes missing that no accepted DR promotion accounts for (must be 0)
     * @param acceptedLoss  missing writes an accepted DR promotion accounts for
     * @param estimatesHeld every DR promotion lost no more bytes than its dry run estimated
     * @param transfers     the cross-shard transfers made beside the probe (null with one shard)
     */
    public record Report(List<String> faults, long acked, long lost, long acceptedLoss, long errors, long slowestRecoveryMillis,
                         String slowest, boolean recoveredEveryTime, boolean estimatesHeld, TransferWorkload.Report transfers) {
        /**
         * Transfers left on one shard only, or acknowledged and not whole, or a total changed; 0 with one shard. A DR
         * promotion loses by design what the DR city had not received, transfers as well, so after one an
         * acknowledged transfer missing whole is accepted loss; one on one shard only never is.
         */
        public long transfersBroken() {
            if (transfers == null) {
                return 0;
            }
            return transfers.tornCount() + (acceptedLoss > 0 || faults.stream().anyMatch(f -> f.startsWith("DR promotion"))
                    ? 0 : transfers.lostCount() + (transfers.total() == transfers.expectedTotal() ? 0 : 1));
        }
    }

    /** A soak over every kind of fault the estate allows. */
    public ChaosRunner(ClusterAccess access, PrintStream out, long seed) {
        this(access, out, seed, null);
    }

    /** A soak over the kinds named in faults (a {@code --faults} list; null or blank: every kind the estate allows). */
    public ChaosRunner(ClusterAccess access, PrintStream out, long seed, String faults) {
        this.access = access;
        this.out = out;
        this.random = new Random(seed);
        this.asked = ChaosFault.parse(faults);
        this.askedByName = faults != null && !faults.isBlank();
    }

    /** The names {@code --faults} takes. */
    public static String faultNames() {
        return ChaosFault.names();
    }

    public Report run(String cluster, long minutes) throws SQLException {
        long end = System.currentTimeMillis() + minutes * 60_000;
        ClusterDetail start = access.detail(cluster);
        List<ChaosFault> kinds = ChaosFault.eligible(asked, estateOf(start), askedByName);
        out.println("chaos: picking from " + kinds.stream().map(f -> f.cliName + " (weight " + f.weight + ")").collect(Collectors.joining(", ")));
        awaitProtection(cluster);
        ProbeWorkload probe = new ProbeWorkload(start.uris().jdbc());
        probe.prepare();
        // with two shards or more, transfers across shards run beside the probe: each must end whole or absent
        long shards = start.groups().stream().filter(g -> !g.name().equals("coordinator")).count();
        TransferWorkload bank = TransferWorkload.possible((int) shards) ? new TransferWorkload(start.uris().jdbc()) : null;
        if (bank != null) {
            bank.prepare();
            bank.start(2);
        }
        probe.start();
        List<String> faults = new ArrayList<>();
        List<long[]> spans = new ArrayList<>(); // start and end of each fault's recovery, to place a lost write
        long slowest = 0;
        String slowestFault = "-";
        boolean recovered = true;
        ProbeReport report;
        try {
            while (System.currentTimeMillis() < end) {
                ChaosFault fault = ChaosFault.pick(random, kinds);
                long started = System.currentTimeMillis();
                String what;
                long recovery;
                try {
                    what = apply(cluster, fault, probe);
                    sleep(SETTLE_MILLIS); // the manager's view is its last probe's: let it see the fault first
                    awaitProtection(cluster);
                    recovery = System.currentTimeMillis() - started;
                } catch (RuntimeException | SQLException e) {
                    recovered = false;
                    out.println("fault " + (faults.size() + 1) + " at " + clock(started) + ": " + fault.cliName + " -> not recovered: " + e.getMessage());
                    faults.add(fault.cliName + " (not recovered)");
                    spans.add(new long[] {started, System.currentTimeMillis()});
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
        TransferWorkload.Report transfers = bank == null ? null : bank.stop();
        if (transfers != null) {
            out.println("chaos: " + transfers.line() + (transfers.whole() ? "" : ", torn " + transfers.torn() + ", lost " + transfers.lost()));
        }
        LossLedger.Split split = ledger.split(probe.lostWrites());
        boolean estimatesHeld = printAccepted(split);
        printLost(split.lost(), probe, spans, faults);
        Report r = new Report(faults, report.acked(), split.lost().size(), split.accepted(), report.errors(), slowest, slowestFault,
                recovered, estimatesHeld, transfers);
        out.println("chaos: faults=" + faults.size() + " acked=" + r.acked() + " lost=" + r.lost() + " accepted_loss=" + r.acceptedLoss()
                + " errors=" + r.errors() + " slowest_recovery_ms=" + slowest + " (" + slowestFault + ")");
        return r;
    }

    private ChaosFault.Estate estateOf(ClusterDetail d) {
        return new ChaosFault.Estate(access.managerRestartable(), NetworkCut.available(), DrPromotionRound.possible(d));
    }

    /** One line per DR promotion; false when one lost more bytes than its dry run estimated. */
    private boolean printAccepted(LossLedger.Split split) {
        boolean held = true;
        List<LossLedger.Promotion> promotions = ledger.promotions();
        for (int i = 0; i < promotions.size(); i++) {
            LossLedger.Promotion p = promotions.get(i);
            boolean within = p.actualBytes() <= Math.max(0, p.estimatedBytes());
            held &= within;
            out.println("accepted loss: " + split.acceptedPerPromotion().get(i) + " writes, estimate was " + p.estimatedBytes() + " bytes ("
                    + p.estimatedMillis() + " ms of commits), actual " + p.actualBytes() + " bytes" + (within ? "" : " ABOVE THE ESTIMATE")
                    + " [" + p.label() + "]");
        }
        return held;
    }

    private void printLost(List<long[]> lost, ProbeWorkload probe, List<long[]> spans, List<String> faults) {
        for (long[] w : lost.subList(0, Math.min(20, lost.size()))) {
            out.println("lost: write " + w[0] + " into " + probe.partitionOf(w[0]) + ", acknowledged at " + clock(w[1])
                    + ", " + placed(w[1], spans, faults));
        }
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

    static String clock(long millis) {
        return java.time.LocalTime.ofInstant(java.time.Instant.ofEpochMilli(millis), java.time.ZoneOffset.UTC).toString() + "Z";
    }

    /** Applies the fault, undoes it when its time is up, and says what it was. */
    private String apply(String cluster, ChaosFault fault, ProbeWorkload probe) throws SQLException {
        ClusterDetail d = access.detail(cluster);
        String primaryIdc = d.summary().primaryIdc();
        String backupIdc = d.summary().backupIdc();
        return switch (fault) {
            case POWER_OFF -> powerOff(primaryIdc);
            case FREEZE -> freeze("primary", primaryIdc);
            case FREEZE_BACKUP -> freeze("backup", backupIdc);
            case KILL_ONE_PRIMARY -> killOnePrimary(d);
            case AGENT_KILLED -> agentKilled(d);
            case BACKUP_IDC_LOST -> backupLost(backupIdc);
            case MANAGER_KILLED -> managerKilled();
            case MANAGER_KILLED_MID_TAKEOVER -> managerKilledMidTakeover(primaryIdc);
            case PARTITION -> partition(primaryIdc);
            case BACK_TO_BACK -> new BackToBackTakeovers(access, random).run(cluster);
            case DR_PROMOTION -> {
                DrPromotionRound.Outcome o = new DrPromotionRound(access).run(cluster, probe);
                ledger.add(o.promotion());
                yield o.what();
            }
        };
    }

    private String powerOff(String primaryIdc) {
        long down = 2000 + random.nextInt(4000);
        new IdcFault(IdcFault.Kind.POWER_OFF, access.computersOf(primaryIdc)).apply();
        sleep(down);
        access.computersOf(primaryIdc).forEach(access::restartNodeAgent);
        return "power-off of primary IDC " + primaryIdc + " for " + down + " ms";
    }

    private String freeze(String role, String idc) {
        long frozen = 500 + random.nextInt(5500);
        IdcFault f = new IdcFault(IdcFault.Kind.FREEZE, access.computersOf(idc));
        f.apply();
        try {
            sleep(frozen);
        } finally {
            f.restore();
        }
        return "freeze of " + role + " IDC " + idc + " for " + frozen + " ms";
    }

    private String killOnePrimary(ClusterDetail d) {
        GroupView g = d.groups().get(random.nextInt(d.groups().size()));
        NodeView p = ClusterHealth.primary(g).orElseThrow();
        ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroyForcibly);
        return "SIGKILL of " + g.name() + "'s primary " + p.name() + " (pid " + p.pid() + ")";
    }

    /**
     * The node agent of a primary's computer SIGKILLed alone, its PostgreSQL left running and answering, for longer
     * than the manager waits for its lease to be rewritten: every primary on that computer refuses commits (its lease
     * ran out) and must be taken over; the node agent comes back afterwards and the old primaries rejoin.
     */
    private String agentKilled(ClusterDetail d) {
        GroupView g = d.groups().get(random.nextInt(d.groups().size()));
        NodeView p = ClusterHealth.primary(g).orElseThrow();
        long gone = 12_000 + random.nextInt(6000);
        ProcessTable.read().nodeAgent(p.address()).ifPresent(ProcessHandle::destroyForcibly);
        sleep(gone);
        access.restartNodeAgent(p.address());
        return "SIGKILL of the node agent of " + p.address() + " (" + g.name() + "'s primary " + p.name() + " runs on), back after "
                + gone + " ms";
    }

    private String backupLost(String backupIdc) {
        long down = 3000 + random.nextInt(5000);
        new IdcFault(IdcFault.Kind.POWER_OFF, access.computersOf(backupIdc)).apply();
        sleep(down);
        access.computersOf(backupIdc).forEach(access::restartNodeAgent);
        return "backup IDC " + backupIdc + " lost for " + down + " ms";
    }

    private String managerKilled() {
        long gone = 1000 + random.nextInt(2000);
        access.killManager();
        sleep(gone);
        access.startManager();
        return "manager SIGKILLed, back after " + gone + " ms";
    }

    private String managerKilledMidTakeover(String primaryIdc) {
        long after = 1500 + random.nextInt(1500);
        new IdcFault(IdcFault.Kind.POWER_OFF, access.computersOf(primaryIdc)).apply();
        sleep(after);
        access.killManager();
        access.startManager();
        sleep(3000);
        access.computersOf(primaryIdc).forEach(access::restartNodeAgent);
        return "power-off of primary IDC " + primaryIdc + ", manager SIGKILLed " + after + " ms later";
    }

    private String partition(String primaryIdc) {
        long cut = 3000 + random.nextInt(5000);
        try (NetworkCut c = new NetworkCut(access.computersOf(primaryIdc))) {
            sleep(cut);
        }
        return "manager (and every root process here) cut off from primary IDC " + primaryIdc + " for " + cut + " ms";
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
