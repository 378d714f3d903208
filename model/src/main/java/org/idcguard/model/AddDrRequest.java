package org.idcguard.model;

/**
 * Adds a DR city to a running cluster: asynchronous standbys of every group in an IDC of another city.
 *
 * @param drNodes standbys of each group in the DR IDC, default 1
 */
public record AddDrRequest(String drIdc, Integer drNodes) {

    public int drNodesOrDefault() {
        return drNodes == null ? ClusterRequest.DEFAULT_DR_NODES : drNodes;
    }
}
