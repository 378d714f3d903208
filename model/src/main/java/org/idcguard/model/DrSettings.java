package org.idcguard.model;

import java.util.Optional;

/**
 * When the manager warns about the DR city, and how often it marks a common restore point on every group.
 *
 * @param lagAlertBytes      a DR standby further behind its primary than this raises an alert
 * @param lagAlertMillis     ... or holding nothing of the last this many milliseconds of commits
 * @param restorePointMillis how often a named restore point is written on every group at once (consistent promotion)
 */
public record DrSettings(long lagAlertBytes, int lagAlertMillis, int restorePointMillis) {

    public static final DrSettings DEFAULTS = new DrSettings(16L * 1024 * 1024, 10_000, 5_000);

    /** The first rule these settings break, as a sentence naming the field, or empty when they are sound. */
    public Optional<InvalidInput> problem() {
        if (lagAlertBytes < 64 * 1024 || lagAlertBytes > 64L * 1024 * 1024 * 1024) {
            return Optional.of(new InvalidInput("lagAlertBytes", "The lag alert threshold must be between 64 KiB and 64 GiB."));
        }
        if (lagAlertMillis < 1000 || lagAlertMillis > 3_600_000) {
            return Optional.of(new InvalidInput("lagAlertMillis", "The lag alert time must be between 1 s and 1 h."));
        }
        if (restorePointMillis < 1000 || restorePointMillis > 600_000) {
            return Optional.of(new InvalidInput("restorePointMillis", "Restore points are written every 1 s to 10 min."));
        }
        return Optional.empty();
    }
}
