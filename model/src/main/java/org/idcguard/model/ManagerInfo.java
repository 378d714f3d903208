package org.idcguard.model;

/**
 * One manager of a quorum as {@code GET /api/managers} shows it.
 *
 * @param role      "leader", "follower", or "down" (listed in the quorum but not registered: its process or session is gone)
 * @param zookeeper the state of its ZooKeeper peer: "leader", "follower", "down", or "external" when the managers use
 *                  an ensemble of their own
 * @param applied   how far its copy of the metadata has applied the managers' log (0 when unknown)
 */
public record ManagerInfo(int id, String url, String idc, long pid, String role, String zookeeper, long applied) {
}
