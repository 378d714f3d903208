package org.idcguard.model;

/**
 * How a standby reaches the node it streams from (primary_conninfo). Short connect timeout, keepalives and a TCP
 * user timeout make a dead or frozen upstream noticed in seconds. The node agent writes it when it creates or
 * rejoins a standby; the manager sets it with ALTER SYSTEM when it repoints standbys during a failover.
 * The password is not in it: PostgreSQL logs primary_conninfo whenever it changes, so it names a password file
 * ({@link #passfile}) that the node agent keeps beside the data directory, readable by PostgreSQL's user only.
 */
public final class StandbyConninfo {
    private StandbyConninfo() {
    }

    public static String of(String host, int port, String user, String passfile, String applicationName) {
        return "host=" + host + " port=" + port + " user=" + user + " passfile=" + passfile
                + " application_name=" + applicationName
                + " connect_timeout=2 keepalives=1 keepalives_idle=2 keepalives_interval=1 keepalives_count=2 tcp_user_timeout=3000";
    }

    /** The instance's password file: beside its data directory, named after the instance. */
    public static String passfile(String dataDir, String instance) {
        int slash = dataDir.lastIndexOf('/');
        return (slash < 0 ? "" : dataDir.substring(0, slash + 1)) + "." + instance + ".pgpass";
    }

    /** The password file's one line: any host, port and database, this user. */
    public static String passfileLine(String user, String password) {
        return "*:*:*:" + user + ":" + password + "\n";
    }
}
