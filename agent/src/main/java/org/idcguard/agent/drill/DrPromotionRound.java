package org.idcguard.agent.drill;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.idcguard.model.ClusterDetail;
import org.idcguard.model.DrPlan;
import org.idcguard.model.DrPromoteRequest;
import org.idcguard.model.DrStatus;

/**
 * A DR promotion inside a soak, done as a DBA would: the whole main city powered off, the city-lost alert awaited,
 * the dry run read for the estimated loss, the DR city promoted in latest mode with the loss accepted, every group's
 * primary awaited in the DR city, the main city restored (it rejoins as standbys) and the cluster brought home with a
 * planned switch to the IDC that held the primaries before. The probe keeps writing throughout; what the promotion
 * may lose is handed back for the soak's {@link LossLedger}.
 */
final class DrPromotionRound {
    private static final long ALERT_LIMIT_MILLIS = 60_000;
    private static final long STEP_LIMIT_MILLIS = 180_000;
    private final ClusterAccess access;

    /** What the round did, in words, and the promotion the ledger accepts losses from. */
    record Outcome(String what, LossLedger.Promotion promotion) {
    }

    DrPromotionRound(ClusterAccess access) {
        this.access = access;
    }

    /** Whether the cluster can be promoted to its DR city now: it has one, and its primaries stand in the main city. */
    static boolean possible(ClusterDetail d) {
        return d.summary().hasDr() && !d.summary().drIdc().equals(d.summary().primaryIdc());
    }

    Outcome run(String cluster, ProbeWorkload probe) throws SQLException {
        ClusterDetail d = access.detail(cluster);
        String home = d.summary().primaryIdc();
        String dr = d.summary().drIdc();
        List<String> mainCity = new ArrayList<>(access.computersOf(home));
        mainCity.addAll(access.computersOf(d.summary().backupIdc()));
        // what is missing already was lost by an earlier fault: the promotion must not be credited with it
        Set<Long> missingBefore = probe.missingNow();
        long mark = access.lastEventId();
        IdcFault dark = new IdcFault(IdcFault.Kind.POWER_OFF, mainCity, home, access.managersHome().orElse(null));
        dark.apply();
        long darkAt = dark.struckAtMillis();
        boolean restored = false;
        try {
            long alertAfter = awaitCityLost(mark) - darkAt;
            DrPlan plan = access.drPlan(cluster, dr, DrPromoteRequest.LATEST);
            if (plan.blocked()) {
                throw new IllegalStateException("the DR promotion cannot start: " + String.join(" ", plan.blockers()));
            }
            long promotionStart = System.currentTimeMillis();
            access.promoteBackupCity(cluster, new DrPromoteRequest(dr, DrPromoteRequest.LATEST, true));
            ClusterHealth.await(access, cluster, c -> primariesIn(c, dr), STEP_LIMIT_MILLIS, "every primary in " + dr);
            long promoted = System.currentTimeMillis();
            long actual = actualLoss(access.drStatus(cluster));
            dark.restore();
            mainCity.forEach(access::restartNodeAgent);
            restored = true;
            ClusterHealth.await(access, cluster, ClusterHealth::fullyProtected, STEP_LIMIT_MILLIS, "the main city rejoined as standbys");
            long rejoined = System.currentTimeMillis();
            access.switchPrimary(cluster, home);
            String what = "DR promotion: main city (" + home + ", " + d.summary().backupIdc() + ") powered off, city-lost alert after "
                    + alertAfter + " ms, estimated loss " + plan.estimatedLossBytes() + " bytes / " + plan.estimatedLossMillis()
                    + " ms, " + dr + " promoted in " + (promoted - promotionStart) + " ms (actual loss " + actual
                    + " bytes), main city rejoined " + (rejoined - promoted) + " ms later, switched home to " + home;
            return new Outcome(what, new LossLedger.Promotion("DR promotion to " + dr + " at " + ChaosRunner.clock(promotionStart),
                    darkAt, promotionStart, plan.estimatedLossBytes(), plan.estimatedLossMillis(), actual, missingBefore));
        } finally {
            if (!restored) {
                dark.restore();
                mainCity.forEach(access::restartNodeAgent);
            }
        }
    }

    private long awaitCityLost(long mark) {
        long deadline = System.currentTimeMillis() + ALERT_LIMIT_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            try {
                var alert = access.events(mark).stream().filter(e -> e.kind().equals("alert.city-lost")).findFirst();
                if (alert.isPresent()) {
                    return alert.get().timeMillis();
                }
            } catch (RuntimeException managerBusy) {
                // asked again below
            }
            sleep(200);
        }
        throw new IllegalStateException("no alert.city-lost within " + ALERT_LIMIT_MILLIS / 1000 + " s of the main city going dark");
    }

    static boolean primariesIn(ClusterDetail d, String idc) {
        return d.groups().stream().allMatch(g -> ClusterHealth.primary(g).map(p -> p.idc().equals(idc)).orElse(false));
    }

    private static long actualLoss(DrStatus status) {
        return status.promotions().stream().mapToLong(DrStatus.Promotion::lossBytes).sum();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
