package org.idcguard.agent.manager.ha;

import java.util.Arrays;
import java.util.function.Function;

/**
 * Makes a failing run of the simulation simpler while it still fails the same way: on the run's sequence of choices
 * ({@link Choices}), it cuts the tail, zeroes blocks (a zero is the quiet choice) and deletes blocks, keeping each
 * change after which the replay still finds a violation of the same kind, until no change helps or the budget is
 * spent. Deterministic: the same failing seed always shrinks to the same run.
 */
final class Shrinker {
    private final Function<int[], TakeoverSimulation.Outcome> run;
    private final String kind;
    private int budget;
    private int[] best;
    private TakeoverSimulation.Outcome bestOutcome;

    private Shrinker(Function<int[], TakeoverSimulation.Outcome> run, int[] failing, TakeoverSimulation.Outcome outcome, int budget) {
        this.run = run;
        this.best = failing;
        this.bestOutcome = outcome;
        this.kind = outcome.violationKind();
        this.budget = budget;
    }

    /** The simplest run found that fails as {@code outcome} did; {@code run} replays a sequence of choices. */
    static TakeoverSimulation.Outcome shrink(Function<int[], TakeoverSimulation.Outcome> run, int[] failing,
                                             TakeoverSimulation.Outcome outcome, int budget) {
        Shrinker s = new Shrinker(run, failing, outcome, budget);
        boolean better = true;
        while (better && s.budget > 0) {
            better = s.cutTail() | s.blocks(true) | s.blocks(false);
        }
        return s.bestOutcome;
    }

    /** Shorter sequences first: the quiet tail after the failure is most of every storm. */
    private boolean cutTail() {
        boolean better = false;
        for (int keep = best.length / 2; keep > 0 && budget > 0; keep /= 2) {
            if (tryOut(Arrays.copyOf(best, best.length - keep))) {
                better = true;
            }
        }
        return better;
    }

    /** Blocks of 8, 4, 2 and 1 choices zeroed (or deleted), from the end backwards. */
    private boolean blocks(boolean zero) {
        boolean better = false;
        for (int size = 8; size >= 1; size /= 2) {
            for (int from = best.length - size; from >= 0 && budget > 0; from -= size) {
                int[] candidate;
                if (zero) {
                    if (Arrays.stream(best, from, from + size).allMatch(v -> v == 0)) {
                        continue;
                    }
                    candidate = best.clone();
                    Arrays.fill(candidate, from, from + size, 0);
                } else {
                    candidate = new int[best.length - size];
                    System.arraycopy(best, 0, candidate, 0, from);
                    System.arraycopy(best, from + size, candidate, from, best.length - from - size);
                }
                if (tryOut(candidate)) {
                    better = true;
                    from = Math.min(from, best.length);
                }
            }
        }
        return better;
    }

    private boolean tryOut(int[] candidate) {
        budget--;
        TakeoverSimulation.Outcome o = run.apply(candidate);
        if (o.violation().isPresent() && o.violationKind().equals(kind) && simpler(o, candidate)) {
            best = Arrays.copyOf(candidate, Math.min(candidate.length, o.choicesUsed()));
            bestOutcome = o;
            return true;
        }
        return false;
    }

    /** Fewer trace lines, then fewer choices, then smaller ones. */
    private boolean simpler(TakeoverSimulation.Outcome o, int[] candidate) {
        if (o.trace().size() != bestOutcome.trace().size()) {
            return o.trace().size() < bestOutcome.trace().size();
        }
        int used = Math.min(candidate.length, o.choicesUsed());
        if (used != best.length) {
            return used < best.length;
        }
        return Arrays.stream(candidate, 0, used).mapToLong(v -> v & 0xffffffffL).sum()
                < Arrays.stream(best).mapToLong(v -> v & 0xffffffffL).sum();
    }
}
