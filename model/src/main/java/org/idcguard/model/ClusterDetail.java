package org.idcguard.model;

import java.util.List;

/** A cluster with every group and node, as observed now, and the URIs clients use. */
public record ClusterDetail(ClusterSummary summary, String database, String appUser, String syncPolicy,
                            List<GroupView> groups, ClusterUris uris) {
}
