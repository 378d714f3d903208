package org.idcguard.model;

/**
 * The manager asks a node agent to make one of its instances a standby of the given primary. With {@code rewind},
 * the instance may hold WAL the primary never had (a former primary, or a node cut off during a failover): it is
 * stopped and rewound with pg_rewind from the primary first, and re-copied if pg_rewind cannot do it.
 */
public record FollowRequest(String primaryHost, int primaryPort, boolean rewind) {
}
