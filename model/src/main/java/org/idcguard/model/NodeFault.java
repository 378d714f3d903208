package org.idcguard.model;

import java.util.List;

/**
 * A drill fault a node agent applies to its own computer, so drills work on computers of other hosts.
 *
 * @param kind    power-off (its PostgreSQL SIGKILLed, then the agent exits at once), freeze (its PostgreSQL and the
 *                agent SIGSTOPped, resumed by a timer after {@code seconds}) or partition (its traffic to and from
 *                {@code peers} dropped with nftables, removed by a timer after {@code seconds} or on restore)
 * @param seconds how long a freeze or a partition lasts; a timer outside the agent ends it, so it ends even when
 *                nobody can reach the computer
 * @param peers   for a partition: the addresses cut off (the other IDCs' computers and the managers)
 */
public record NodeFault(String kind, int seconds, List<String> peers) {
    public static final int MAX_SECONDS = 600;

    public void check() {
        if (!List.of("power-off", "freeze", "partition").contains(String.valueOf(kind))) {
            throw new InvalidInput("kind", "The fault is power-off, freeze or partition.");
        }
        if (!kind.equals("power-off") && (seconds < 1 || seconds > MAX_SECONDS)) {
            throw new InvalidInput("seconds", "A " + kind + " lasts 1 to " + MAX_SECONDS + " seconds.");
        }
        if (kind.equals("partition")) {
            if (peers == null || peers.isEmpty()) {
                throw new InvalidInput("peers", "A partition needs the addresses to cut off.");
            }
            peers.forEach(p -> Addresses.checkAddress("peers", p));
        }
    }

    /** What the node agent answers: when the fault struck (its clock, ms) and how many processes it hit. */
    public record Struck(String address, long struckAtMillis, int processes) {
    }
}
