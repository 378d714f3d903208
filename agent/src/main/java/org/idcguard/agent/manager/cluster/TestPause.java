package org.idcguard.agent.manager.cluster;

import java.util.Map;

/**
 * A pause at a named step of a takeover, a switch, a DR promotion or a DR city's addition, for tests only: {@code IDCGUARD_TEST_PAUSE_AT=step:millis[,step:millis]}
 * in the manager's environment holds it there, so a test can kill the manager, or wake a frozen IDC, at exactly that
 * point. Without the variable nothing pauses. The pause is announced as an event, so a test waits for it instead of
 * guessing with a sleep.
 */
public final class TestPause {
    private static final Map<String, Long> PAUSES = parse(System.getenv("IDCGUARD_TEST_PAUSE_AT"));

    private TestPause() {
    }

    /** Pauses if asked to at this step; {@code announce} records the event first. */
    public static void at(String step, Runnable announce) {
        Long millis = PAUSES.get(step);
        if (millis == null) {
            return;
        }
        announce.run();
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Pauses as long as {@link #at} would at this step, without announcing: for work running beside the step's own
     * thread that must not have happened yet when the test kills the manager during the pause.
     */
    public static void hold(String step) {
        at(step, () -> { });
    }

    private static Map<String, Long> parse(String text) {
        if (text == null || text.isBlank()) {
            return Map.of();
        }
        Map<String, Long> pauses = new java.util.HashMap<>();
        for (String part : text.split(",")) {
            String[] kv = part.strip().split(":");
            pauses.put(kv[0], Long.parseLong(kv[1]));
        }
        return Map.copyOf(pauses);
    }
}
