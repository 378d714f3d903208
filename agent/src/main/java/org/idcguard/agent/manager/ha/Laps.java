package org.idcguard.agent.manager.ha;

import java.util.ArrayList;
import java.util.List;

/** How long each step of one failover took, for its closing event: where the seconds of a slow takeover went. */
final class Laps {
    private final long started = System.currentTimeMillis();
    private long last = started;
    private final List<String> laps = new ArrayList<>();

    /** Ends the step under way, named for what it did. */
    void lap(String step) {
        long now = System.currentTimeMillis();
        laps.add(step + " " + (now - last) + " ms");
        last = now;
    }

    long sinceStart() {
        return System.currentTimeMillis() - started;
    }

    @Override
    public String toString() {
        return String.join(", ", laps);
    }
}
