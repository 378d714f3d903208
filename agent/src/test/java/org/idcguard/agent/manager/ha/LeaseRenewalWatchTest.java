package org.idcguard.agent.manager.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * How the observer counts a primary's lease as unrenewed: from the first probe that finds its lease file's stamp
 * unchanged, on the manager's clock, and only where the lease check is loaded. So a file copied into a standby with an
 * old stamp (pg_rewind copies its source's) does not make the standby look leaseless the moment it is promoted, and a
 * step of the node's clock changes nothing.
 */
class LeaseRenewalWatchTest {
    private static final String KEY = "lease-unrenewed:p";

    @Test
    void theClockStartsAtTheFirstUnchangedStampAndStopsAtEveryRenewal() {
        try (NodeObserver observer = new NodeObserver(new ActionSessions())) {
            assertFalse(observer.linger(List.of(primary(1_000, true)), 0).containsKey(KEY), "first sight: nothing to compare");
            assertEquals(500L, observer.linger(List.of(primary(1_000, true)), 500).get(KEY), "unchanged since the last probe");
            assertEquals(500L, observer.linger(List.of(primary(1_000, true)), 9_000).get(KEY), "still counted from then");
            assertFalse(observer.linger(List.of(primary(2_000, true)), 9_500).containsKey(KEY), "rewritten: the count stops");
            assertEquals(10_000L, observer.linger(List.of(primary(2_000, true)), 10_000).get(KEY));
        }
    }

    @Test
    void withoutTheLeaseCheckOrWithoutAFileNothingIsCounted() {
        try (NodeObserver observer = new NodeObserver(new ActionSessions())) {
            for (long now = 0; now < 20_000; now += 500) {
                Map<String, Long> lingering = observer.linger(List.of(primary(1_000, false)), now);
                assertFalse(lingering.containsKey(KEY), "an unrenewed lease stops no commit without the library");
                assertTrue(lingering.containsKey("unleased:p"), "but it is a primary without the lease check");
            }
            for (long now = 20_000; now < 30_000; now += 500) {
                assertFalse(observer.linger(List.of(primary(-1, true)), now).containsKey(KEY), "no file: nothing to renew");
            }
        }
    }

    private static NodeState primary(long stamp, boolean leaseCheck) {
        return new NodeState(HaFixtures.record("p", "IDC1", "primary", false), 0, false, Optional.of(new NodeObservation(false, 100,
                false, "", Optional.empty(), List.of(), true, stamp, leaseCheck)));
    }
}
