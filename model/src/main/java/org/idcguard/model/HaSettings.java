package org.idcguard.model;

import java.util.Optional;

/**
 * How the manager probes nodes and decides they are gone.
 *
 * @param probeIntervalMillis  how often every node is probed
 * @param probeTimeoutMillis   how long one probe (connect and statements) may take before it counts as failed
 * @param failedProbes         consecutive failed probes after which a node is down (K)
 * @param streamSilenceMillis  how long a standby must have heard nothing from its primary to confirm the stream stopped
 */
public record HaSettings(int probeIntervalMillis, int probeTimeoutMillis, int failedProbes, int streamSilenceMillis) {

    public static final HaSettings DEFAULTS = new HaSettings(500, 500, 3, 1500);

    /** A primary pings an idle standby every second (half its 2-s wal_sender_timeout); silence must outlast that. */
    public static final int PRIMARY_KEEPALIVE_MILLIS = 1000;

    /** Longest failure window allowed: detection plus takeover must stay well inside the 30-s promise. */
    public static final int MAX_FAILURE_WINDOW_MILLIS = 20_000;

    /** How long a node must fail to answer before it is down: K probes, one interval apart. */
    public int failureWindowMillis() {
        return failedProbes * probeIntervalMillis;
    }

    /**
     * The first rule these settings break, as a sentence naming the field, or empty when they are safe. The rules tie
     * the settings to the failure window: one slow probe must never make a node down, a primary frozen for a second
     * must not either, and a standby's silence must outlast its primary's keepalive.
     */
    public Optional<InvalidInput> problem() {
        if (probeIntervalMillis < 100 || probeIntervalMillis > 10_000) {
            return bad("probeIntervalMillis", "The probe interval must be between 100 and 10000 ms.");
        }
        if (probeTimeoutMillis < 100 || probeTimeoutMillis > probeIntervalMillis) {
            return bad("probeTimeoutMillis", "The probe timeout must be at least 100 ms and no longer than the probe interval.");
        }
        if (failedProbes < 2 || failedProbes > 20) {
            return bad("failedProbes", "A node must fail between 2 and 20 probes in a row before it is down, so one slow probe never fails it over.");
        }
        if (failureWindowMillis() < 1000) {
            return bad("failedProbes", "Failed probes times the interval must be at least 1000 ms, so a primary frozen for under a second is not failed over.");
        }
        if (failureWindowMillis() > MAX_FAILURE_WINDOW_MILLIS) {
            return bad("failedProbes", "Failed probes times the interval must be at most " + MAX_FAILURE_WINDOW_MILLIS + " ms to keep the recovery time promise.");
        }
        if (streamSilenceMillis < PRIMARY_KEEPALIVE_MILLIS + 500 || streamSilenceMillis > MAX_FAILURE_WINDOW_MILLIS) {
            return bad("streamSilenceMillis", "The stream silence must be between " + (PRIMARY_KEEPALIVE_MILLIS + 500) + " and "
                    + MAX_FAILURE_WINDOW_MILLIS + " ms: longer than a primary's 1-s keepalive, with room for jitter.");
        }
        return Optional.empty();
    }

    private static Optional<InvalidInput> bad(String field, String sentence) {
        return Optional.of(new InvalidInput(field, sentence));
    }
}
