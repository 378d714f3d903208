package org.idcguard.agent.drill;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which missing writes a soak's DR promotions account for. A promotion of the DR city loses what the DR standbys had
 * not received when the main city went dark, which the DBA saw estimated and accepted; nothing else may be missing.
 * A missing write is accepted only when all of these hold:
 * <ul>
 *   <li>it was acknowledged before the promotion began (a write acknowledged after it must survive);</li>
 *   <li>it was acknowledged no earlier than the estimate's span of commits (plus the manager's sampling slack)
 *       before the main city went dark: an older one lies outside what the DBA was told and accepted;</li>
 *   <li>it was still present when the soak looked just before the main city went dark: one already missing then was
 *       lost by an earlier fault, not by the promotion.</li>
 * </ul>
 */
final class LossLedger {
    /**
     * The manager samples each primary's position once per probe interval (500 ms) and measures the span from its
     * samples, so commits after its last sample before the power-off are not in the span; two seconds covers that.
     */
    static final long SAMPLING_SLACK_MILLIS = 2000;

    /** One accepted promotion: the window of acknowledgements it may have lost, what was estimated and what it lost. */
    record Promotion(String label, long darkAtMillis, long promotionStartMillis, long estimatedBytes, long estimatedMillis,
                     long actualBytes, Set<Long> missingBeforeDark) {
        long acceptedFromMillis() {
            return darkAtMillis - Math.max(0, estimatedMillis) - SAMPLING_SLACK_MILLIS;
        }

        boolean covers(long seq, long ackMillis) {
            return ackMillis >= acceptedFromMillis() && ackMillis <= promotionStartMillis && !missingBeforeDark.contains(seq);
        }
    }

    /** The missing writes split: those a promotion accounts for (per promotion) and the real losses. */
    record Split(List<Long> acceptedPerPromotion, List<long[]> lost) {
        long accepted() {
            return acceptedPerPromotion.stream().mapToLong(Long::longValue).sum();
        }
    }

    private final List<Promotion> promotions = new ArrayList<>();

    void add(Promotion p) {
        promotions.add(p);
    }

    List<Promotion> promotions() {
        return List.copyOf(promotions);
    }

    /** Splits missing writes ({seq, acknowledged at}); each is accounted to at most one promotion. */
    Split split(List<long[]> missing) {
        List<Long> accepted = new ArrayList<>(promotions.stream().map(p -> 0L).toList());
        List<long[]> lost = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        for (long[] w : missing) {
            if (!seen.add(w[0])) {
                continue;
            }
            int by = -1;
            for (int i = 0; i < promotions.size() && by < 0; i++) {
                if (promotions.get(i).covers(w[0], w[1])) {
                    by = i;
                }
            }
            if (by >= 0) {
                accepted.set(by, accepted.get(by) + 1);
            } else {
                lost.add(w);
            }
        }
        return new Split(accepted, lost);
    }
}
