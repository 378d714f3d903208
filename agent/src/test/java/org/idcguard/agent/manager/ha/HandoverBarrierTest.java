package org.idcguard.agent.manager.ha;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HandoverBarrierTest {

    @Test
    void readyGroupsWaitForEachOtherThenGoTogether() throws Exception {
        HandoverBarrier barrier = new HandoverBarrier(2);
        CompletableFuture<Void> first = CompletableFuture.runAsync(() -> barrier.party().ready());
        Thread.sleep(300);
        assertFalse(first.isDone(), "the first group waits while the second still prepares");
        barrier.party().ready();
        first.get(2, TimeUnit.SECONDS);
    }

    @Test
    void aGroupThatLeavesIsNotWaitedFor() throws Exception {
        HandoverBarrier barrier = new HandoverBarrier(2);
        HandoverBarrier.Party failing = barrier.party();
        CompletableFuture<Void> first = CompletableFuture.runAsync(() -> barrier.party().ready());
        failing.leave();
        failing.ready(); // after leaving, being ready changes nothing
        first.get(2, TimeUnit.SECONDS);
        assertTrue(first.isDone());
    }
}
