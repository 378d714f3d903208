package org.idcguard.agent.node;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ProcessLivenessTest {

    @Test
    void aZombieHasExitedWhileItsParentStillRuns() throws Exception {
        // The shell becomes "sleep 5" and never waits for its child, so the short sleep stays a zombie.
        Process parent = new ProcessBuilder("sh", "-c", "sleep 0.3 & exec sleep 5").start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
            while (parent.toHandle().children().findAny().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            long child = parent.toHandle().children().findFirst().orElseThrow().pid();
            assertTrue(ProcessLiveness.running(child), "the child runs during its sleep");
            while (ProcessLiveness.running(child) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(ProcessHandle.of(child).isPresent(), "the child is a zombie, still in the process table");
            assertFalse(ProcessLiveness.running(child), "a zombie counts as exited");
            assertTrue(ProcessLiveness.running(parent.pid()), "its parent still runs");
        } finally {
            parent.destroyForcibly().waitFor();
        }
        assertFalse(ProcessLiveness.running(parent.pid()));
        assertFalse(ProcessLiveness.running(0));
    }
}
