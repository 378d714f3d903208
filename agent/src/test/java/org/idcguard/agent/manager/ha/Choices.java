package org.idcguard.agent.manager.ha;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The simulation's source of randomness as a sequence of choices (the idea of Hypothesis's shrinker): seeded, it
 * draws exactly what {@code new Random(seed)} would and records each draw; given a sequence, it replays it, and
 * answers 0 once it runs out. A failing run's sequence can then be made simpler (shorter, smaller numbers) and
 * replayed, which is how {@link Shrinker} shrinks a storm without knowing what any draw means. Zero is the quiet
 * choice: a client commits, no fault, no kill.
 */
final class Choices extends Random {
    private static final long MULTIPLIER = 0x5DEECE66DL;
    private static final long MASK = (1L << 48) - 1;
    private final int[] given;
    private final List<Integer> drawn = new ArrayList<>();
    private long state;
    private int at;

    private Choices(long seed, int[] given) {
        super(0);
        this.state = (seed ^ MULTIPLIER) & MASK;
        this.given = given;
    }

    /** Draws as {@code new Random(seed)} does, recording each draw. */
    static Choices seeded(long seed) {
        return new Choices(seed, null);
    }

    /** Replays the sequence, then answers 0. */
    static Choices replaying(int[] sequence) {
        return new Choices(0, sequence);
    }

    @Override
    protected int next(int bits) {
        int value;
        if (given == null) {
            state = (state * MULTIPLIER + 0xBL) & MASK;
            value = (int) (state >>> (48 - bits));
        } else {
            value = at < given.length ? given[at] & (bits == 32 ? -1 : (1 << bits) - 1) : 0;
            at++;
        }
        drawn.add(value);
        return value;
    }

    /** Every draw made so far, in order. */
    int[] drawn() {
        return drawn.stream().mapToInt(Integer::intValue).toArray();
    }
}
