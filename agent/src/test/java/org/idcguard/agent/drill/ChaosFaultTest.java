package org.idcguard.agent.drill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** How a chaos soak chooses its faults: by name, by what the estate allows, by weight, reproducibly. */
class ChaosFaultTest {
    private static final ChaosFault.Estate EVERYTHING = new ChaosFault.Estate(true, true, true);

    @Test
    void aListNamesTheKindsAndAnUnknownNameIsRefused() {
        assertEquals(EnumSet.of(ChaosFault.BACK_TO_BACK, ChaosFault.DR_PROMOTION), ChaosFault.parse("back-to-back, dr-promotion"));
        assertEquals(EnumSet.allOf(ChaosFault.class), ChaosFault.parse(null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ChaosFault.parse("power-off,meteor"));
        assertTrue(e.getMessage().contains("meteor") && e.getMessage().contains("back-to-back"), e.getMessage());
    }

    @Test
    void aDrPromotionIsPickedOnlyWithADrCity() {
        ChaosFault.Estate noDr = new ChaosFault.Estate(true, true, false);
        assertFalse(ChaosFault.eligible(EnumSet.allOf(ChaosFault.class), noDr, false).contains(ChaosFault.DR_PROMOTION));
        assertTrue(ChaosFault.eligible(EnumSet.allOf(ChaosFault.class), EVERYTHING, false).contains(ChaosFault.DR_PROMOTION));
        // asked for by name where it cannot run, it is refused rather than quietly left out
        assertThrows(IllegalArgumentException.class, () -> ChaosFault.eligible(EnumSet.of(ChaosFault.DR_PROMOTION), noDr, true));
    }

    @Test
    void managerFaultsAndPartitionsNeedTheirMeans() {
        ChaosFault.Estate bare = new ChaosFault.Estate(false, false, false);
        List<ChaosFault> kinds = ChaosFault.eligible(EnumSet.allOf(ChaosFault.class), bare, false);
        assertFalse(kinds.contains(ChaosFault.MANAGER_KILLED));
        assertFalse(kinds.contains(ChaosFault.MANAGER_KILLED_MID_TAKEOVER));
        assertFalse(kinds.contains(ChaosFault.PARTITION));
        assertTrue(kinds.contains(ChaosFault.BACK_TO_BACK));
        assertThrows(IllegalArgumentException.class, () -> ChaosFault.eligible(EnumSet.of(ChaosFault.PARTITION), bare, false));
    }

    @Test
    void theSameSeedPicksTheSameFaults() {
        List<ChaosFault> kinds = ChaosFault.eligible(EnumSet.allOf(ChaosFault.class), EVERYTHING, false);
        assertEquals(draw(kinds, 7, 50), draw(kinds, 7, 50));
    }

    @Test
    void kindsComeAboutAsOftenAsTheirWeights() {
        List<ChaosFault> kinds = ChaosFault.eligible(EnumSet.allOf(ChaosFault.class), EVERYTHING, false);
        int total = kinds.stream().mapToInt(f -> f.weight).sum();
        int n = 100_000;
        Map<ChaosFault, Integer> seen = new EnumMap<>(ChaosFault.class);
        draw(kinds, 1, n).forEach(f -> seen.merge(f, 1, Integer::sum));
        for (ChaosFault f : kinds) {
            double expected = (double) n * f.weight / total;
            assertEquals(expected, seen.getOrDefault(f, 0), expected * 0.1, f.cliName);
        }
    }

    private static List<ChaosFault> draw(List<ChaosFault> kinds, long seed, int n) {
        Random r = new Random(seed);
        List<ChaosFault> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(ChaosFault.pick(r, kinds));
        }
        return out;
    }

    @Test
    void theOffsetOfTheSecondFaultIsInSeconds() {
        assertEquals("4.2 s after the takeover", BackToBackTakeovers.offset(10_200 + 4_200, 10_200));
    }
}
