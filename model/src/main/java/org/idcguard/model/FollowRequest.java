package org.idcguard.model;

/**
 * The manager asks a node agent to make one of its instances a standby of the given primary. With {@code rewind},
 * the instance may hold WAL the primary never had (a former primary, or a node cut off during a failover): it is
 * stopped and rewound with pg_rewind from the primary first, and re-copied if pg_rewind cannot do it. The cluster's
 * client networks come along, so a node whose agent missed a change of them gets them when it rejoins (null: keep).
 */
public record FollowRequest(String primaryHost, int primaryPort, boolean rewind, java.util.List<String> clientNetworks) {

    public FollowRequest(String primaryHost, int primaryPort, boolean rewind) {
        this(primaryHost, primaryPort, rewind, null);
    }
}
