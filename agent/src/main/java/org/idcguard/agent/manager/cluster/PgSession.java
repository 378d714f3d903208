package org.idcguard.agent.manager.cluster;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/** JDBC connections from the manager to one node, as the cluster's superuser, with short timeouts. */
public final class PgSession {
    private PgSession() {
    }

    public static Connection open(String address, int port, String database, String user, String password,
                                  int timeoutSeconds) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("connectTimeout", Integer.toString(timeoutSeconds));
        p.setProperty("loginTimeout", Integer.toString(timeoutSeconds));
        p.setProperty("socketTimeout", Integer.toString(Math.max(timeoutSeconds, 10)));
        p.setProperty("tcpKeepAlive", "true");
        // A leader's sessions carry its epoch, so that a newer leader raising the fence on this node can end the
        // sessions of older ones (NodeEpoch): a deposed leader paused between its check and its change loses both.
        long epoch = epoch();
        p.setProperty("ApplicationName", epoch > 0 ? NodeEpoch.APPLICATION_PREFIX + epoch : "idcguard-manager");
        return DriverManager.getConnection("jdbc:postgresql://" + address + ":" + port + "/" + database, p);
    }

    /** Whether this manager may change a node now: always for a sole manager; only while it leads in a quorum. */
    private static volatile java.util.function.BooleanSupplier mayChange = () -> true;

    /** The epoch of this manager's lead, the fencing token its changes carry to nodes; 0 for a sole manager (no fence). */
    private static volatile java.util.function.LongSupplier epoch = () -> 0;

    /** Set once by a manager of a quorum: the statements that change a node are refused while it does not lead. */
    public static void gateChanges(java.util.function.BooleanSupplier gate) {
        gateChanges(gate, () -> 0);
    }

    /** The same, with the epoch it leads in: every change is also refused by a node fenced by a newer epoch. */
    public static void gateChanges(java.util.function.BooleanSupplier gate, java.util.function.LongSupplier leaderEpoch) {
        mayChange = gate;
        epoch = leaderEpoch;
    }

    /** This manager's epoch now: positive only while it leads a quorum (or has led: a deposed one keeps its number). */
    public static long epoch() {
        return epoch.getAsLong();
    }

    /**
     * The static half of the permission, before every statement that changes a node: refused unless leading. A leader
     * paused after it passes this check can wake deposed, so the statements also pass {@link NodeEpoch#admit} on the node.
     */
    public static void checkMayChange() throws SQLException {
        if (!mayChange.getAsBoolean()) {
            throw new SQLException("This manager does not lead now: it changes no node.");
        }
    }

    public static Connection admin(ClusterRecord cluster, NodeRecord node, String database) throws SQLException {
        return open(node.address(), node.port(), database, cluster.superuser(), cluster.superuserPassword(), 3);
    }

    /**
     * For building a cluster, where nothing waits on the answer but the task: computers busy copying dozens of
     * instances can take longer than the failover path's 3 s to let a session in, and that must not fail the creation.
     */
    public static Connection patient(ClusterRecord cluster, NodeRecord node, String database) throws SQLException {
        return open(node.address(), node.port(), database, cluster.superuser(), cluster.superuserPassword(), 20);
    }

    /** Quotes an identifier for SQL text (names are checked before they get here; this is the second line of defence). */
    public static String ident(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /** Quotes a string literal for SQL text. */
    public static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
