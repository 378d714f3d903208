package org.idcguard.model;

/**
 * A backup-city promotion as the DBA confirms it.
 *
 * @param mode       "latest" (default: every group at the newest point it received) or "consistent" (every group at the
 *                   newest common restore point, so a transaction across shards is wholly present or wholly absent)
 * @param acceptLoss the DBA has seen the estimated loss and accepts it; without it a promotion that loses anything is refused
 */
public record DrPromoteRequest(String to, String mode, Boolean acceptLoss) {

    public static final String LATEST = "latest";
    public static final String CONSISTENT = "consistent";

    public String modeOrDefault() {
        return mode == null || mode.isBlank() ? LATEST : mode;
    }

    public boolean lossAccepted() {
        return Boolean.TRUE.equals(acceptLoss);
    }
}
