package org.idcguard.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The failure-window rules that probe settings must keep. */
class HaSettingsTest {

    @Test
    void theDefaultsAreSafe() {
        assertTrue(HaSettings.DEFAULTS.problem().isEmpty());
        assertEquals(1500, HaSettings.DEFAULTS.failureWindowMillis());
    }

    @Test
    void oneFailedProbeMayNeverMakeANodeDown() {
        assertEquals("failedProbes", new HaSettings(1000, 500, 1, 1500).problem().orElseThrow().field());
    }

    @Test
    void aWindowUnderOneSecondWouldFailOverAShortFreeze() {
        assertEquals("failedProbes", new HaSettings(200, 200, 3, 1500).problem().orElseThrow().field());
    }

    @Test
    void aWindowOverTwentySecondsWouldBreakTheRecoveryPromise() {
        assertEquals("failedProbes", new HaSettings(5000, 1000, 5, 1500).problem().orElseThrow().field());
    }

    @Test
    void aProbeMayNotOutlastItsInterval() {
        assertEquals("probeTimeoutMillis", new HaSettings(500, 800, 3, 1500).problem().orElseThrow().field());
    }

    @Test
    void streamSilenceMustOutlastThePrimarysKeepalive() {
        assertEquals("streamSilenceMillis", new HaSettings(500, 500, 3, 1000).problem().orElseThrow().field());
    }
}
