package org.idcguard.agent.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * One instance's lease file held up (its instance's lock taken by a stop, a rewind, a base backup) never holds
 * another's back, and the held one ends at the newest deadline without going back to an older one. Before, every
 * lease of a computer was written in line: a fenced primary's stop left the computer's other primaries unleased until
 * their node agent stopped them too.
 */
class LeaseFilesTest {

    @Test
    void aBusyInstanceHoldsNoOtherLeaseBackAndEndsAtTheNewestDeadline() throws Exception {
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch aStarted = new CountDownLatch(1);
        Map<String, List<Long>> written = new ConcurrentHashMap<>();
        try (LeaseFiles files = new LeaseFiles((name, deadline) -> {
            if (name.equals("a")) {
                aStarted.countDown();
                try {
                    busy.await(); // a's instance lock is held elsewhere
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            written.computeIfAbsent(name, k -> new CopyOnWriteArrayList<>()).add(deadline);
        })) {
            files.write("a", 1);
            assertTrue(aStarted.await(5, TimeUnit.SECONDS), "a's write began");
            for (long d = 10; d <= 30; d += 10) {
                files.write("b", d);
                files.write("a", d);
                Thread.sleep(50);
            }
            long bUntil = System.currentTimeMillis() + 2000;
            while (!written.getOrDefault("b", List.of()).contains(30L) && System.currentTimeMillis() < bUntil) {
                Thread.sleep(20);
            }
            List<Long> b = written.getOrDefault("b", List.of());
            assertTrue(b.contains(30L), "b's newest lease was written while a's waits: " + written);
            for (int i = 1; i < b.size(); i++) {
                assertTrue(b.get(i) > b.get(i - 1), "b's file never goes back to an older deadline: " + b);
            }
            assertEquals(null, written.get("a"), "a's first write is still held");
            busy.countDown();
            long until = System.currentTimeMillis() + 5000;
            while (!List.of(1L, 30L).equals(written.get("a")) && System.currentTimeMillis() < until) {
                Thread.sleep(20);
            }
            // the write under way lands, then only the newest of those decided meanwhile: never an older one after it
            assertEquals(List.of(1L, 30L), written.get("a"));
        }
    }
}
