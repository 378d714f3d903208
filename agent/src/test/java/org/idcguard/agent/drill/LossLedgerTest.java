package org.idcguard.agent.drill;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which missing writes an accepted DR promotion accounts for, and which are losses all the same. */
class LossLedgerTest {
    private static final long DARK = 100_000;
    private static final long PROMOTION = 110_000;

    private static LossLedger ledger(long estimatedMillis, Set<Long> missingBeforeDark) {
        LossLedger l = new LossLedger();
        l.add(new LossLedger.Promotion("DR promotion", DARK, PROMOTION, 4096, estimatedMillis, 4096, missingBeforeDark));
        return l;
    }

    @Test
    void writesAcknowledgedJustBeforeTheCityWentDarkAreAccepted() {
        LossLedger.Split s = ledger(300, Set.of()).split(List.of(new long[] {1, DARK - 200}, new long[] {2, DARK - 1}));
        assertEquals(List.of(2L), s.acceptedPerPromotion());
        assertEquals(0, s.lost().size());
    }

    @Test
    void aWriteAcknowledgedAfterThePromotionBeganIsALoss() {
        LossLedger.Split s = ledger(300, Set.of()).split(List.of(new long[] {7, PROMOTION + 1}));
        assertEquals(0, s.accepted());
        assertEquals(7, s.lost().get(0)[0]);
    }

    @Test
    void aWriteOlderThanTheEstimatedSpanIsALoss() {
        long edge = DARK - 300 - LossLedger.SAMPLING_SLACK_MILLIS;
        LossLedger.Split s = ledger(300, Set.of()).split(List.of(new long[] {3, edge}, new long[] {4, edge - 1}));
        assertEquals(1, s.accepted());
        assertEquals(4, s.lost().get(0)[0]);
    }

    @Test
    void aWriteMissingBeforeTheCityWentDarkIsNotPutDownToThePromotion() {
        LossLedger.Split s = ledger(300, Set.of(5L)).split(List.of(new long[] {5, DARK - 10}, new long[] {6, DARK - 10}));
        assertEquals(1, s.accepted());
        assertEquals(5, s.lost().get(0)[0]);
    }

    @Test
    void withoutPromotionsEveryMissingWriteIsALoss() {
        LossLedger.Split s = new LossLedger().split(List.of(new long[] {1, DARK}));
        assertEquals(0, s.accepted());
        assertEquals(1, s.lost().size());
    }

    @Test
    void eachWriteIsAccountedToOnePromotion() {
        LossLedger l = ledger(300, Set.of());
        l.add(new LossLedger.Promotion("second", DARK, PROMOTION, 0, 300, 0, Set.of()));
        LossLedger.Split s = l.split(List.of(new long[] {1, DARK - 5}));
        assertEquals(List.of(1L, 0L), s.acceptedPerPromotion());
    }
}
