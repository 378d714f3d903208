package org.idcguard.agent.node;

import java.util.List;
import org.idcguard.model.InstanceSpec;
import org.idcguard.model.StandbyConninfo;

/**
 * The settings IDC Guard gives each instance ({@code idcguard.conf}, included from postgresql.conf) and its
 * pg_hba.conf. Timeouts are short so that a dead or frozen peer is noticed in seconds, not minutes.
 */
final class PostgresConfig {
    static final String FILE = "idcguard.conf";

    private PostgresConfig() {
    }

    /**
     * @param leaseLibrary whether the lease check ({@link PostgresBinaries#LEASE_LIBRARY}) is installed for the
     *                     binaries in use: preloaded only then, since PostgreSQL refuses to start without a preloaded
     *                     library. Standbys preload it too, so a promoted one enforces its lease without a restart.
     */
    static String settings(String address, InstanceSpec spec, String dataDir, boolean leaseLibrary) {
        StringBuilder conf = new StringBuilder("# Written by the IDC Guard node agent; the manager changes settings with ALTER SYSTEM.\n");
        line(conf, "listen_addresses", quote(address));
        line(conf, "port", Integer.toString(spec.port()));
        line(conf, "unix_socket_directories", "''"); // TCP only: instances of several computers share one host here
        line(conf, "cluster_name", quote(spec.name()));
        line(conf, "max_connections", "60");
        line(conf, "shared_buffers", "'32MB'");
        line(conf, "wal_level", "replica");
        line(conf, "max_wal_senders", "16");
        line(conf, "max_replication_slots", "16");
        line(conf, "wal_keep_size", "'512MB'");
        line(conf, "wal_log_hints", "on");
        // Frequent checkpoints keep what pg_rewind must copy, and crash recovery must replay, small.
        line(conf, "checkpoint_timeout", "'1min'");
        line(conf, "hot_standby", "on");
        line(conf, "hot_standby_feedback", "on");
        line(conf, "password_encryption", "'scram-sha-256'");
        line(conf, "synchronous_commit", "on");
        // A primary pings an idle standby once half of wal_sender_timeout passes without a reply, and the standby
        // answers the ping at once: with replies otherwise rare, a live upstream is heard from every second, so a
        // standby whose last message is older than the manager's stream-silence setting has really lost it.
        // The manager counts on this value: a DR standby cut off shows as streaming on its primary (which keeps the
        // lease's failsafe extension going) until it has passed (PrimaryLeases.WAL_SENDER_TIMEOUT_MILLIS).
        line(conf, "wal_sender_timeout", "'2s'");
        line(conf, "wal_receiver_timeout", "'3s'");
        line(conf, "wal_receiver_status_interval", "'10s'");
        line(conf, "wal_retrieve_retry_interval", "'500ms'");
        line(conf, "tcp_keepalives_idle", "2");
        line(conf, "tcp_keepalives_interval", "1");
        line(conf, "tcp_keepalives_count", "2");
        line(conf, "tcp_user_timeout", "'3s'");
        // A transaction that writes on several shards prepares its part on each (two-phase commit through the
        // coordinator): a shard holds one prepared transaction per coordinator session at most. A standby needs at
        // least its primary's value, so every instance has the same.
        line(conf, "max_prepared_transactions", "64");
        // The coordinator's two-phase commit reads a shard's "canceling wait for synchronous replication" notice by
        // its text: the messages are PostgreSQL's own English on every instance, whatever the host's locale.
        line(conf, "lc_messages", "'C'");
        line(conf, "logging_collector", "off");
        line(conf, "log_line_prefix", "'%m [%p] '");
        if (leaseLibrary) {
            line(conf, "shared_preload_libraries", quote(PostgresBinaries.LEASE_LIBRARY));
        }
        if (spec.isStandby()) {
            line(conf, "primary_conninfo", quote(primaryConninfo(spec, dataDir)));
        }
        return conf.toString();
    }

    /** How a standby reaches its primary. */
    static String primaryConninfo(InstanceSpec spec, String dataDir) {
        return StandbyConninfo.of(spec.primaryHost(), spec.primaryPort(), spec.superuser(), StandbyConninfo.passfile(dataDir, spec.name()),
                spec.name());
    }

    static String hba(List<String> clientAddresses, List<String> clientNetworks) {
        StringBuilder hba = new StringBuilder("# Written by the IDC Guard node agent: the cluster's computers and the managers, "
                + "and the applications' networks (no replication for them). Nothing else gets in.\n");
        for (String address : clientAddresses) {
            String cidr = address.contains(":") ? address + "/128" : address + "/32";
            hba.append("host    all          all    ").append(cidr).append("    scram-sha-256\n");
            hba.append("host    replication  all    ").append(cidr).append("    scram-sha-256\n");
        }
        for (String network : clientNetworks) {
            hba.append("host    all          all    ").append(network).append("    scram-sha-256\n");
        }
        return hba.toString();
    }

    private static void line(StringBuilder conf, String key, String value) {
        conf.append(key).append(" = ").append(value).append('\n');
    }

    private static String quote(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
