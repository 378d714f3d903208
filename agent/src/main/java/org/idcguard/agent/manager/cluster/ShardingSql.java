package org.idcguard.agent.manager.cluster;

import java.util.List;
import java.util.stream.Collectors;

/** SQL installed on the coordinator: the function that spreads a hash-partitioned table over the shards. */
public final class ShardingSql {
    static final String FUNCTION = "idcguard_create_sharded_table";
    static final String WRITE_GATE = "idcguard_write_gate";
    /** The advisory lock key of the write gate (any fixed number; applications should not use it). */
    public static final long WRITE_GATE_KEY = 7_294_001L;

    private ShardingSql() {
    }

    /**
     * {@code idcguard_create_sharded_table(name, columns, shard_key, partitions, primary_key)} creates the
     * partitioned table on the coordinator and, for each partition, a table on a shard (round-robin, through
     * dblink over the shard's multi-host foreign server) attached as a postgres_fdw foreign-table partition.
     * The primary key, if any, is made on the shards' tables: a partitioned table with foreign partitions
     * cannot carry a unique index itself.
     */
    static String createFunction(List<String> shardServers) {
        String servers = shardServers.stream().map(PgSession::literal).collect(Collectors.joining(", "));
        return """
            CREATE OR REPLACE FUNCTION %s(table_name text, columns text, shard_key text,
                                          partitions int DEFAULT 0, primary_key text DEFAULT NULL)
            RETURNS text LANGUAGE plpgsql AS $fn$
            DECLARE
              shards text[] := ARRAY[%s];
              n int := CASE WHEN partitions IS NULL OR partitions < 1 THEN array_length(shards, 1) ELSE partitions END;
              part text;
              srv text;
              shard_columns text := columns || COALESCE(', PRIMARY KEY (' || primary_key || ')', '');
            BEGIN
              EXECUTE format('CREATE TABLE %%I (%%s) PARTITION BY HASH (%%I)', table_name, columns, shard_key);
              EXECUTE format('CREATE TRIGGER idcguard_write_gate BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON %%I '
                             'FOR EACH STATEMENT EXECUTE FUNCTION %s()', table_name);
              FOR i IN 0 .. n - 1 LOOP
                part := table_name || '_p' || (i + 1);
                srv := shards[(i %% array_length(shards, 1)) + 1];
                PERFORM dblink_exec(srv, format('CREATE TABLE IF NOT EXISTS %%I (%%s)', part, shard_columns));
                EXECUTE format('CREATE FOREIGN TABLE %%I PARTITION OF %%I FOR VALUES WITH (MODULUS %%s, REMAINDER %%s) '
                               'SERVER %%I OPTIONS (table_name %%L)', part, table_name, n, i, srv, part);
              END LOOP;
              RETURN format('%%s: %%s partitions over %%s shards', table_name, n, array_length(shards, 1));
            END
            $fn$""".formatted(FUNCTION, servers, WRITE_GATE);
    }

    /** Where the coordinator records the decision of each two-phase commit (extension/idcguard_lease). */
    /**
     * Where the coordinator records its decisions: a schema of the cluster's superuser (the one initdb made, which the
     * extension checks is the table's owner), since the application owns {@code public} and could drop or replace a
     * table there.
     */
    public static final String DECISION_TABLE = "idcguard.twophase_decision";

    /**
     * The decision table of two-phase commit (extension/idcguard_lease/idcguard_twophase.c): one row per transaction
     * that committed across shards, inserted by that transaction itself when its parts are prepared, at the moment of
     * the insert (not the transaction's start, so a long transaction's decision is not taken for an old one). Nobody
     * but the superuser may read or write it. Idempotent: the manager runs it again on clusters made before it.
     */
    static String createDecisionTable() {
        return "CREATE SCHEMA IF NOT EXISTS idcguard; REVOKE ALL ON SCHEMA idcguard FROM PUBLIC; "
                + "CREATE TABLE IF NOT EXISTS " + DECISION_TABLE + " (gid text PRIMARY KEY, "
                + "decided_at timestamptz NOT NULL DEFAULT clock_timestamp()); REVOKE ALL ON " + DECISION_TABLE + " FROM PUBLIC";
    }

    /**
     * The write gate of a consistent cut across shards: every statement that writes a sharded table takes a shared
     * advisory lock held to the end of its transaction, which is after postgres_fdw has committed it on every shard.
     * The manager's restore-point writer takes the lock exclusively (waiting a bounded moment), so while it marks
     * every group no distributed transaction is half committed: each is wholly before or wholly after the marks.
     */
    static String createWriteGate() {
        return """
            CREATE OR REPLACE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql AS $fn$
            BEGIN
              PERFORM pg_advisory_xact_lock_shared(%d);
              RETURN NULL;
            END
            $fn$""".formatted(WRITE_GATE, WRITE_GATE_KEY);
    }
}
