package org.idcguard.model;

/**
 * Where a node agent answers the health checks of one instance, in Patroni's convention ({@code GET /primary},
 * {@code /replica}, {@code /health}): a port of its own per instance, so that HAProxy checks each server with the same
 * path. It is the instance's port plus {@link #OFFSET} (instances are given ports from 15432 up, so 25432 up).
 */
public final class HealthPorts {
    public static final int OFFSET = 10_000;

    private HealthPorts() {
    }

    public static int of(int instancePort) {
        return instancePort + OFFSET;
    }

    public static int instancePort(int healthPort) {
        return healthPort - OFFSET;
    }
}
