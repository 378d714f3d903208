package org.idcguard.agent.manager.ha;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.idcguard.agent.manager.cluster.ClusterRecord;
import org.idcguard.agent.manager.cluster.NodeRecord;
import org.idcguard.agent.manager.cluster.PgSession;

/**
 * One idle admin session per standby, opened ahead of need, for the takeover to detach, promote and repoint over.
 * When every group of a large cluster fails over at once, dozens of SCRAM logins on the surviving computers are what
 * a takeover would otherwise wait for. A session is lent to one action at a time and given back after it; one that
 * broke meanwhile (its node restarted) is replaced by a fresh login on the spot, so a stale session costs one failed
 * round trip, never a wrong answer.
 */
final class ActionSessions implements AutoCloseable {
    /** How long one statement over a lent session may hang (a frozen node): as long as an admin login may take. */
    static final int LENT_TIMEOUT_MILLIS = 3000;
    private final Map<String, Connection> idle = new ConcurrentHashMap<>();
    private final Set<String> opening = ConcurrentHashMap.newKeySet();
    private final Executor direct = Runnable::run;

    /** Opens a session to the node in the background unless one is idle or being opened. */
    void warm(ClusterRecord cluster, NodeRecord node, Executor pool) {
        if (idle.containsKey(node.name()) || !opening.add(node.name())) {
            return;
        }
        pool.execute(() -> {
            try {
                giveBack(node.name(), PgSession.admin(cluster, node, "postgres"));
            } catch (SQLException unreachable) {
                // warmed again after its next good probe
            } finally {
                opening.remove(node.name());
            }
        });
    }

    /** A session to the node: the idle one if there is one, else a fresh login with the given timeout. */
    Connection lend(ClusterRecord cluster, NodeRecord node, int loginSeconds) throws SQLException {
        Connection c = idle.remove(node.name());
        if (c != null) {
            c.setNetworkTimeout(direct, LENT_TIMEOUT_MILLIS);
            return c;
        }
        return fresh(cluster, node, loginSeconds);
    }

    /** A fresh login, for when a lent session turned out to be broken. */
    Connection fresh(ClusterRecord cluster, NodeRecord node, int loginSeconds) throws SQLException {
        return PgSession.open(node.address(), node.port(), "postgres", cluster.superuser(), cluster.superuserPassword(), loginSeconds);
    }

    /** Keeps a session that still works for the next action on the node; closes it when one is kept already. */
    void giveBack(String node, Connection c) {
        try {
            if (c.isClosed()) {
                return;
            }
            c.setNetworkTimeout(direct, 0);
        } catch (SQLException broken) {
            closeQuietly(c);
            return;
        }
        if (idle.putIfAbsent(node, c) != null) {
            closeQuietly(c);
        }
    }

    /** Drops the sessions of nodes that are no longer recorded. */
    void retainOnly(Set<String> nodes) {
        idle.keySet().removeIf(name -> {
            if (nodes.contains(name)) {
                return false;
            }
            closeQuietly(idle.get(name));
            return true;
        });
    }

    /** Whether the failure came from the session itself (closed, broken, its backend gone), not from the statement. */
    static boolean broken(Connection c, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        try {
            return c.isClosed() || state.startsWith("08") || state.startsWith("57P");
        } catch (SQLException ignored) {
            return true;
        }
    }

    static void closeQuietly(Connection c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (SQLException ignored) {
            // the session is dropped either way
        }
    }

    @Override
    public void close() {
        idle.values().forEach(ActionSessions::closeQuietly);
        idle.clear();
    }
}
