package org.idcguard.agent.drill;

import java.io.PrintStream;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.idcguard.model.ClusterDetail;
import org.idcguard.model.DrPlan;
import org.idcguard.model.DrPromoteRequest;
import org.idcguard.model.DrStatus;
import org.idcguard.model.Event;

/**
 * The city-loss drill: while the probe writes, both IDCs of the main city are powered off; the drill waits for the
 * manager's city-lost alert (nothing may be taken over meanwhile), reads the estimated loss, promotes the DR city as a
 * DBA would (loss accepted, mode given), waits for writes in the DR city, restores the main city, waits until it has
 * rejoined as standbys and brings the cluster home with the planned switch. Reported: time to alert, time to promote,
 * estimated and actual loss, probe writes lost (acknowledged by the main city, never received by the DR city), and
 * none lost after the promotion.
 */
public final class CityLossDrill {
    private static final long WARM_UP_MILLIS = 5000;
    private static final long CONSISTENT_WARM_UP_MILLIS = 45_000;
    private static final long ALERT_LIMIT_MILLIS = 60_000;
    private static final long REJOIN_LIMIT_MILLIS = 180_000;
    private final ClusterAccess access;
    private final PrintStream out;

    /** What one city-loss drill measured. */
    public record Result(long alertMillis, long promoteMillis, long writesBackMillis, long estimatedBytes, long estimatedMillis,
                         long actualBytes, long probeLost, long lostAfterPromotion, long rejoinMillis, long homeMillis) {
        public String line() {
            return String.format("city-loss alert_ms=%d promote_ms=%d writes_back_ms=%d estimated_loss_bytes=%d estimated_loss_ms=%d "
                            + "actual_loss_bytes=%d probe_writes_lost=%d lost_after_promotion=%d rejoin_ms=%d home_ms=%d",
                    alertMillis, promoteMillis, writesBackMillis, estimatedBytes, estimatedMillis, actualBytes, probeLost,
                    lostAfterPromotion, rejoinMillis, homeMillis);
        }

        /** The promise of the drill: the loss no more than shown before confirming, nothing lost once promoted. */
        public boolean passed() {
            return actualBytes <= Math.max(0, estimatedBytes) && lostAfterPromotion == 0;
        }
    }

    public CityLossDrill(ClusterAccess access, PrintStream out) {
        this.access = access;
        this.out = out;
    }

    public Result run(String cluster, String mode) throws SQLException {
        ClusterDetail before = access.detail(cluster);
        String dr = before.summary().drIdc();
        if (!before.summary().hasDr()) {
            throw new IllegalArgumentException("Cluster " + cluster + " has no DR IDC: a city-loss drill needs one (cluster create --dr-idc).");
        }
        if (dr.equals(before.summary().primaryIdc())) {
            throw new IllegalArgumentException("The primaries of " + cluster + " already stand in the DR IDC " + dr + ".");
        }
        String home = before.summary().primaryIdc();
        List<String> mainIdcs = List.of(home, before.summary().backupIdc());
        say("waiting for full protection");
        ClusterHealth.await(access, cluster, ClusterHealth::fullyProtected, REJOIN_LIMIT_MILLIS, "full protection before the drill");
        try (ProbeWorkload probe = new ProbeWorkload(before.uris().jdbc())) {
            probe.prepare();
            probe.start();
            // a consistent promotion stops at a restore point the DR standbys have not replayed past: their apply delay
            // (30 s) must have held them back since before the newest points
            sleep(DrPromoteRequest.CONSISTENT.equals(mode) ? CONSISTENT_WARM_UP_MILLIS : WARM_UP_MILLIS);
            long mark = lastEventId();
            List<String> computers = new ArrayList<>();
            mainIdcs.forEach(idc -> computers.addAll(access.computersOf(idc)));
            IdcFault fault = new IdcFault(IdcFault.Kind.POWER_OFF, computers, home, access.managersHome().orElse(null));
            say("powering off the main city: " + String.join(", ", mainIdcs));
            fault.apply();
            long struck = fault.struckAtMillis();
            try {
                long alertAt = awaitEvent(mark, "alert.city-lost", struck + ALERT_LIMIT_MILLIS);
                List<Event> takeovers = access.events(mark).stream().filter(e -> e.kind().equals("failover.done")).toList();
                if (!takeovers.isEmpty()) {
                    throw new IllegalStateException("a group was taken over without the DBA: " + takeovers.get(0).message());
                }
                DrPlan plan = access.drPlan(cluster, dr, mode);
                if (plan.blocked()) {
                    throw new IllegalStateException("the promotion cannot start: " + String.join(" ", plan.blockers()));
                }
                say("estimated loss " + plan.estimatedLossBytes() + " bytes, up to " + plan.estimatedLossMillis() + " ms of commits; promoting " + dr
                        + (plan.restorePoint() == null ? "" : " at the restore point " + plan.restorePoint()));
                long confirmed = System.currentTimeMillis();
                access.promoteBackupCity(cluster, new DrPromoteRequest(dr, mode, true));
                long promoted = System.currentTimeMillis();
                long writesBack = awaitWrites(probe, confirmed);
                DrStatus status = access.drStatus(cluster);
                long actual = status.promotions().stream().mapToLong(DrStatus.Promotion::lossBytes).sum();
                say("restoring the main city");
                fault.restore();
                computers.forEach(access::restartNodeAgent);
                long restored = System.currentTimeMillis();
                ClusterHealth.await(access, cluster, ClusterHealth::fullyProtected, REJOIN_LIMIT_MILLIS, "the main city rejoined");
                long rejoined = System.currentTimeMillis();
                say("bringing " + cluster + " home to " + home);
                access.switchPrimary(cluster, home);
                ClusterHealth.await(access, cluster, ClusterHealth::fullyProtected, REJOIN_LIMIT_MILLIS, "full protection at home");
                long homeAt = System.currentTimeMillis();
                ProbeReport report = probe.stop();
                Result r = new Result(alertAt - struck, promoted - confirmed, writesBack < 0 ? -1 : writesBack - confirmed,
                        plan.estimatedLossBytes(), plan.estimatedLossMillis(), actual, report.missing(), probe.lostAckedAfter(confirmed),
                        rejoined - restored, homeAt - rejoined);
                out.println(r.line());
                return r;
            } catch (RuntimeException e) {
                fault.restore();
                computers.forEach(access::restartNodeAgent);
                throw e;
            }
        }
    }

    private long awaitEvent(long afterId, String kind, long deadline) {
        while (System.currentTimeMillis() < deadline) {
            for (Event e : access.events(afterId)) {
                if (e.kind().equals(kind)) {
                    return e.timeMillis();
                }
            }
            sleep(100);
        }
        throw new IllegalStateException("no " + kind + " alert within " + ALERT_LIMIT_MILLIS / 1000 + " s");
    }

    /** When writes were acknowledged again after the promotion was confirmed, or -1 within 30 s. */
    private static long awaitWrites(ProbeWorkload probe, long after) {
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            if (probe.lastAckMillis() > after) {
                return probe.lastAckMillis();
            }
            sleep(50);
        }
        return -1;
    }

    private long lastEventId() {
        List<Event> all = access.events(0);
        return all.isEmpty() ? 0 : all.get(all.size() - 1).id();
    }

    private void say(String what) {
        out.println("city-loss: " + what);
        out.flush();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
