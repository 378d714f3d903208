package org.idcguard.agent.drill;

import java.util.List;
import java.util.Random;
import org.idcguard.model.ClusterDetail;
import org.idcguard.model.Event;
import org.idcguard.model.GroupView;
import org.idcguard.model.NodeView;

/**
 * Two faults back to back: the primary IDC is powered off, and as soon as every group has been taken over (without
 * waiting for the old IDC to rejoin or for full protection) the new primaries are hit too: their IDC powered off or
 * frozen, or one of them SIGKILLed. The second fault comes within 25 s of the takeover's end, so before the new
 * primaries' standbys made their first restartpoint on the new timeline (checkpoint_timeout is 1 min), and often
 * while the old IDC's nodes are still being rewound. The caller awaits full protection afterwards.
 */
final class BackToBackTakeovers {
    private static final long TAKEOVER_LIMIT_MILLIS = 60_000;

    /** What hits the new primaries. */
    enum Second { POWER_OFF_NEW_IDC, FREEZE_NEW_IDC, KILL_NEW_PRIMARY }

    private final ClusterAccess access;
    private final Random random;

    BackToBackTakeovers(ClusterAccess access, Random random) {
        this.access = access;
        this.random = random;
    }

    /** Applies both faults, undoes them, and says what they were with their offsets. */
    String run(String cluster) {
        ClusterDetail d = access.detail(cluster);
        String first = d.summary().primaryIdc();
        Second second = Second.values()[random.nextInt(Second.values().length)];
        // the old IDC must be back before its partner goes dark, or the whole main city is lost and nothing can take over;
        // a single killed primary may instead leave the new primary's IDC to take over alone
        boolean restoreFirstAtOnce = second != Second.KILL_NEW_PRIMARY || random.nextBoolean();
        long delay = random.nextBoolean() ? random.nextInt(3000) : 3000 + random.nextInt(22_000);
        long mark = access.lastEventId();
        List<String> firstComputers = access.computersOf(first);
        IdcFault off = new IdcFault(IdcFault.Kind.POWER_OFF, firstComputers);
        off.apply();
        long struck = off.struckAtMillis();
        boolean firstRestored = false;
        try {
            long takenOver = awaitTakeover(cluster, first, mark);
            if (restoreFirstAtOnce) {
                firstComputers.forEach(access::restartNodeAgent);
                firstRestored = true;
            }
            sleep(takenOver + delay - System.currentTimeMillis());
            String what = hitNewPrimaries(cluster, second, takenOver);
            if (!restoreFirstAtOnce) {
                // left off a while, so the manager must handle the killed primary with its own IDC alone
                long kept = 3000 + random.nextInt(3000);
                sleep(kept);
                firstComputers.forEach(access::restartNodeAgent);
                firstRestored = true;
                what += "; " + first + " restarted " + kept + " ms later";
            }
            return "1st fault: power-off of primary IDC " + first + ", all groups taken over " + (takenOver - struck) + " ms later"
                    + (restoreFirstAtOnce ? " (" + first + " restarted at once)" : " (" + first + " still off)") + "; " + what;
        } finally {
            if (!firstRestored) {
                firstComputers.forEach(access::restartNodeAgent);
            }
        }
    }

    /**
     * When every group's primary stood outside the powered-off IDC: the manager's last {@code failover.done} since the
     * mark, or the moment this saw it when no such event was recorded.
     */
    private long awaitTakeover(String cluster, String lostIdc, long mark) {
        ClusterHealth.await(access, cluster, d -> ClusterHealth.primariesOutside(d, lostIdc), TAKEOVER_LIMIT_MILLIS,
                "takeover of every group away from " + lostIdc);
        long seen = System.currentTimeMillis();
        return access.events(mark).stream().filter(e -> e.kind().equals("failover.done")).mapToLong(Event::timeMillis).max()
                .orElse(seen);
    }

    private String hitNewPrimaries(String cluster, Second second, long takenOver) {
        ClusterDetail now = access.detail(cluster);
        String newIdc = now.summary().primaryIdc();
        switch (second) {
            case POWER_OFF_NEW_IDC -> {
                long down = 2000 + random.nextInt(4000);
                List<String> computers = access.computersOf(newIdc);
                IdcFault f = new IdcFault(IdcFault.Kind.POWER_OFF, computers);
                f.apply();
                try {
                    sleep(down);
                } finally {
                    computers.forEach(access::restartNodeAgent);
                }
                return "2nd fault " + offset(f.struckAtMillis(), takenOver) + ": power-off of the new primary IDC " + newIdc + " for " + down + " ms";
            }
            case FREEZE_NEW_IDC -> {
                long frozen = 500 + random.nextInt(5500);
                IdcFault f = new IdcFault(IdcFault.Kind.FREEZE, access.computersOf(newIdc));
                f.apply();
                try {
                    sleep(frozen);
                } finally {
                    f.restore();
                }
                return "2nd fault " + offset(f.struckAtMillis(), takenOver) + ": freeze of the new primary IDC " + newIdc + " for " + frozen + " ms";
            }
            case KILL_NEW_PRIMARY -> {
                GroupView g = now.groups().get(random.nextInt(now.groups().size()));
                NodeView p = ClusterHealth.primary(g).orElseThrow(() -> new IllegalStateException(g.name() + " has no single primary"));
                long at = System.currentTimeMillis();
                ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroyForcibly);
                return "2nd fault " + offset(at, takenOver) + ": SIGKILL of " + g.name() + "'s new primary " + p.name() + " (pid " + p.pid() + ")";
            }
            default -> throw new IllegalStateException("unknown second fault " + second);
        }
    }

    /** "4.2 s after the takeover". */
    static String offset(long at, long takenOver) {
        return String.format(java.util.Locale.ROOT, "%.1f s after the takeover", (at - takenOver) / 1000.0);
    }

    private static void sleep(long millis) {
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
