package org.idcguard.model;

/**
 * The one rule for which standbys a primary may wait for (DESIGN "Replication rules"): a standby in another IDC, but
 * not the DR IDC while the primary is in the main city, because a cross-city round trip on every commit is the cost
 * the DR city is asynchronous to avoid. A primary in the DR city waits for the main city's standbys: it has no other
 * IDC, and the way home (a planned switch) needs them holding every commit.
 */
public final class SyncPeers {
    private SyncPeers() {
    }

    /** @param drIdc the cluster's DR IDC, or null */
    public static boolean mayWaitFor(String drIdc, String primaryIdc, String standbyIdc) {
        return !standbyIdc.equals(primaryIdc) && (!standbyIdc.equals(drIdc) || primaryIdc.equals(drIdc));
    }
}
