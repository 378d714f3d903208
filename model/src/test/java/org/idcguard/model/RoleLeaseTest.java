package org.idcguard.model;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which lease a node agent keeps when two arrive: the epoch first, the issue time only within one epoch. */
class RoleLeaseTest {
    private static final RoleLease EARLIER = new RoleLease(10_000, 5_000, List.of("a"));

    @Test
    void aNewLeadersLeaseWinsThoughItsClockLags() {
        RoleLease fromNewLeader = new RoleLease(9_000, 5_000, List.of("b"));
        assertTrue(fromNewLeader.supersedes(EARLIER, 4L << 32, 5L << 32), "a newer epoch replaces the lease whatever its issue time");
    }

    @Test
    void withinAnEpochALeaseReadLateIsDropped() {
        assertFalse(new RoleLease(9_999, 5_000, List.of("a")).supersedes(EARLIER, 7, 7), "an older lease of the same epoch");
        assertTrue(new RoleLease(10_000, 5_000, List.of("a")).supersedes(EARLIER, 7, 7), "the same issue time again");
        assertTrue(new RoleLease(10_100, 5_000, List.of("a")).supersedes(EARLIER, 7, 7), "a renewal");
    }

    @Test
    void aDeposedLeadersLeaseNeverReplacesItsSuccessors() {
        assertFalse(new RoleLease(20_000, 5_000, List.of("a")).supersedes(EARLIER, 8, 7), "an older epoch, however late its clock");
    }
}
