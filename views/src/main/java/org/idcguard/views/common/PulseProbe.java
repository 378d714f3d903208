package org.idcguard.views.common;

import javafx.animation.AnimationTimer;

/**
 * Measures how long the FX thread went without a pulse: JavaFX asks for a frame about every 16 ms while something
 * animates, so a longer gap between two frames means the thread was busy (blocked) that long. Start and stop it on
 * the FX thread; read the figure from any.
 */
public final class PulseProbe extends AnimationTimer {
    private long last;
    private volatile long longestGapNanos;
    private volatile long frames;

    @Override
    public void handle(long now) {
        if (last != 0) {
            longestGapNanos = Math.max(longestGapNanos, now - last);
        }
        last = now;
        frames++;
    }

    @Override
    public void stop() {
        super.stop();
        last = 0;
    }

    public long longestGapMillis() {
        return longestGapNanos / 1_000_000;
    }

    /** Frames seen: a probe that saw none measured nothing. */
    public long frames() {
        return frames;
    }
}
