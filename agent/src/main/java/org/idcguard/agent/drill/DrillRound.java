package org.idcguard.agent.drill;

/**
 * One drill round's figures.
 *
 * @param rtoMillis      longest gap between acknowledged probe writes across the fault
 * @param rpo            acknowledged writes missing afterwards
 * @param takeoverMillis from the fault until no primary stood in the failed IDC and writes were acknowledged again
 * @param rejoinMillis   from the restore until every node streamed again with IDC protection back
 */
public record DrillRound(int round, String fault, String idc, long rtoMillis, long rpo, long acked, long errors,
                         long takeoverMillis, long rejoinMillis, boolean recovered, String problem) {

    public boolean passed() {
        return recovered && rpo == 0; // rpo -1: the writes could not be checked, which fails the round too
    }

    public String line() {
        return "round=" + round + " fault=" + fault + " idc=" + idc + " rto_ms=" + rtoMillis + " rpo=" + rpo
                + " acked=" + acked + " errors=" + errors + " takeover_ms=" + takeoverMillis + " rejoin_ms=" + rejoinMillis
                + (recovered ? "" : " NOT RECOVERED: " + problem);
    }
}
