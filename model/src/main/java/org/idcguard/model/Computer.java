package org.idcguard.model;

/**
 * A host known to the manager.
 *
 * @param idc             the IDC it is bound to, or null when unbound
 * @param facts           what its node agent last reported
 * @param lastSeenMillis  when its node agent last answered (epoch milliseconds), 0 if never
 */
public record Computer(String address, String agentEndpoint, String idc, ComputerStatus status,
                       ComputerFacts facts, long lastSeenMillis) {

    public boolean isBound() {
        return idc != null;
    }

    public Computer withIdc(String newIdc) {
        return new Computer(address, agentEndpoint, newIdc, status, facts, lastSeenMillis);
    }
}
