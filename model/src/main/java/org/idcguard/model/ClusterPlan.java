package org.idcguard.model;

import java.util.List;

/** The placement a creation would use (returned by a dry run, then carried out). */
public record ClusterPlan(ClusterRequest request, List<String> groups, List<PlannedNode> nodes) {
}
