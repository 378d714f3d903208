package org.idcguard.model;

/**
 * A line of the cluster list.
 *
 * @param primaryIdc where the primaries are now (the DR IDC after a backup-city promotion)
 * @param drIdc      the IDC in another city with asynchronous standbys, or null
 */
public record ClusterSummary(String name, String kind, String city, String primaryIdc, String backupIdc, String status,
                             int shards, int nodesPerIdc, int primaryNodes, int standbyNodes, String drIdc) {

    /** A cluster without a DR IDC. */
    public ClusterSummary(String name, String kind, String city, String primaryIdc, String backupIdc, String status,
                          int shards, int nodesPerIdc, int primaryNodes, int standbyNodes) {
        this(name, kind, city, primaryIdc, backupIdc, status, shards, nodesPerIdc, primaryNodes, standbyNodes, null);
    }

    public boolean hasDr() {
        return drIdc != null && !drIdc.isBlank();
    }
}
