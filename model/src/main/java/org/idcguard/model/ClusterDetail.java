package org.idcguard.model;

import java.util.List;

/** A cluster with every group and node, as observed now, and the URIs clients use. */
public record ClusterDetail(ClusterSummary summary, String database, String appUser, String syncPolicy,
                            List<GroupView> groups, ClusterUris uris) {

    /** The same detail with the application's password masked in its URIs (what a viewer gets). */
    public ClusterDetail withPasswordMasked() {
        return new ClusterDetail(summary, database, appUser, syncPolicy, groups, uris == null ? null : uris.masked());
    }
}
