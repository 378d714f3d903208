package org.idcguard.model;

/**
 * How a standby reaches the node it streams from (primary_conninfo). Short connect timeout, keepalives and a TCP
 * user timeout make a dead or frozen upstream noticed in seconds. The node agent writes it when it creates or
 * rejoins a standby; the manager sets it with ALTER SYSTEM when it repoints standbys during a failover.
 */
public final class StandbyConninfo {
    private StandbyConninfo() {
    }

    public static String of(String host, int port, String user, String password, String applicationName) {
        return "host=" + host + " port=" + port + " user=" + user + " password=" + password
                + " application_name=" + applicationName
                + " connect_timeout=2 keepalives=1 keepalives_idle=2 keepalives_interval=1 keepalives_count=2 tcp_user_timeout=3000";
    }
}
