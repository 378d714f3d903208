package org.idcguard.agent.manager.journal;

import java.util.List;

/**
 * One write statement as the leader ran it, with its parameters, so that every other manager can run it again on its
 * own copy. {@code table}/{@code key} are set for a row inserted into a table with a generated id: the id the leader
 * got, which a follower's copy must give the row too (generated ids are not the same everywhere: H2 skips a cached
 * stretch after a crash).
 */
public record LoggedStatement(String sql, List<Object> params, String table, Long key) {
}
