package org.idcguard.agent.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.idcguard.agent.drill.ClusterHealth;
import org.idcguard.agent.node.PostgresBinaries;
import org.idcguard.agent.testing.HaEstates;
import org.idcguard.agent.testing.LocalEstate;
import org.idcguard.model.NodeView;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What two-phase commit costs, measured side by side in one run on one cluster (coordinator and two shards, two
 * nodes per IDC, synchronous to the other IDC): pgbench through the coordinator, a one-shard transaction (two rows
 * on one shard) and a two-shard one (one row on each), each with the two-phase path on and off, four clients for
 * 20 s each, every transaction's latency logged. Figures are printed,
 * never asserted; the test checks only that every run committed transactions and that the two-shard runs with the
 * path on really went through it (their decisions are recorded).
 */
@Tag("long")
class CrossShardCostBenchmark {
    private static final int SECONDS = 20;
    private static final int CLIENTS = 4;
    private static final int ROWS = 10_000;

    @Test
    void oneShardAndTwoShardTransactionsWithAndWithoutTwoPhaseCommit() throws Exception {
        try (LocalEstate estate = HaEstates.start(44, Map.of())) {
            JsonNode task = estate.createCluster("{\"name\":\"Cost\",\"city\":\"Shenzhen\",\"primaryIdc\":\"IDC1\","
                    + "\"backupIdc\":\"IDC2\",\"shards\":2,\"nodesPerIdc\":2}");
            assertEquals("succeeded", task.get("status").asText(), task.toString());
            HaEstates.awaitFullProtection(estate, "Cost", Duration.ofSeconds(90));
            JsonNode revealed = estate.api().post("/api/clusters/Cost/reveal", "{}").json();
            String jdbc = revealed.get("jdbc").asText();
            String libpq = revealed.get("libpq").asText();
            try (Connection c = DriverManager.getConnection(jdbc); Statement st = c.createStatement()) {
                st.execute("SELECT idcguard_create_sharded_table('bench_accounts', 'id int NOT NULL, balance bigint NOT NULL', 'id', 2, 'id')");
                st.execute("INSERT INTO bench_accounts SELECT g, 0 FROM generate_series(1, " + ROWS + ") g");
                // which ids lie on which shard, numbered 1..n per shard, for the scripts to pick from (local tables)
                st.execute("CREATE TABLE bench_on (part text, i int, id int, PRIMARY KEY (part, i))");
                st.execute("INSERT INTO bench_on SELECT p, row_number() OVER (PARTITION BY p ORDER BY id), id "
                        + "FROM (SELECT tableoid::regclass::text p, id FROM bench_accounts) x");
            }
            Path dir = Files.createTempDirectory("idcguard-bench");
            try {
                int perShard = ROWS / 2 - 200; // both partitions hold about half; stay below the smaller
                Path one = script(dir, "one-shard.sql", perShard, "bench_accounts_p1", "bench_accounts_p1");
                Path two = script(dir, "two-shard.sql", perShard, "bench_accounts_p1", "bench_accounts_p2");
                NodeView coordinator = ClusterHealth.primary(estate.detail("Cost").groups().stream()
                        .filter(g -> g.name().equals("coordinator")).findFirst().orElseThrow()).orElseThrow();
                Map<String, double[]> figures = new LinkedHashMap<>();
                for (boolean twoPhase : new boolean[] {true, false}) {
                    try (Connection su = estate.superuser(coordinator, coordinator); Statement st = su.createStatement()) {
                        st.execute("ALTER DATABASE app SET idcguard.two_phase_commit = " + (twoPhase ? "on" : "off"));
                    }
                    String path = twoPhase ? "two-phase on" : "two-phase off";
                    figures.put("one shard, " + path, pgbench(libpq, one));
                    long before = decisions(estate, coordinator);
                    figures.put("two shards, " + path, pgbench(libpq, two));
                    long recorded = decisions(estate, coordinator) - before;
                    System.out.println("CrossShardCostBenchmark: two-shard run, " + path + ": " + recorded + " decisions recorded");
                    if (twoPhase) {
                        assertTrue(recorded > 0, "the two-shard transactions went through two-phase commit");
                    } else {
                        assertEquals(0, recorded, "with the path off no decision is recorded");
                    }
                }
                figures.forEach((name, f) -> {
                    System.out.printf("CrossShardCostBenchmark: %-24s %8.1f tps, latency average %6.2f ms, p99 %6.2f ms, "
                            + "%.0f failed%n", name, f[0], f[1], f[2], f[3]);
                    assertTrue(f[0] > 0, name + " committed transactions");
                });
            } finally {
                try (var files = Files.walk(dir)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    /** Two accounts moved in one transaction: both on the first shard, or one on each (locked in shard order). */
    private static Path script(Path dir, String name, int perShard, String first, String second) throws Exception {
        // the two rows are locked in one order (lower number first, first shard first): no transaction waits in a cycle
        String text = "\\set x random(1, " + perShard + ")\n"
                + "\\set y random(1, " + perShard + ")\n"
                + "\\set i least(:x, :y)\n"
                + "\\set j greatest(:x, :y)\n"
                + "BEGIN;\n"
                + "SELECT id AS a FROM bench_on WHERE part = '" + first + "' AND i = :i \\gset\n"
                + "SELECT id AS b FROM bench_on WHERE part = '" + second + "' AND i = :j \\gset\n"
                + "UPDATE bench_accounts SET balance = balance - 1 WHERE id = :a;\n"
                + "UPDATE bench_accounts SET balance = balance + 1 WHERE id = :b;\n"
                + "END;\n";
        Path p = dir.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    /** {tps, latency average ms, latency p99 ms, failed transactions} of one pgbench run (each transaction logged). */
    private static double[] pgbench(String libpq, Path script) throws Exception {
        Path logs = Files.createTempDirectory(script.getParent(), "log");
        List<String> cmd = new ArrayList<>(List.of(PostgresBinaries.find().orElseThrow().tool("pgbench").toString(), "-n",
                "-c", Integer.toString(CLIENTS), "-j", "2", "-T", Integer.toString(SECONDS), "-l", "--log-prefix",
                logs.resolve("tx").toString(), "-f", script.toString(), libpq));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        List<Long> micros = new ArrayList<>();
        try (var files = Files.list(logs)) {
            for (Path f : files.toList()) {
                for (String line : Files.readAllLines(f)) {
                    String[] cols = line.trim().split("\\s+");
                    if (cols.length > 2 && cols[2].matches("\\d+")) {
                        micros.add(Long.parseLong(cols[2])); // client, transaction, latency in microseconds, ...
                    }
                }
            }
        }
        java.util.Collections.sort(micros);
        double p99 = micros.isEmpty() ? 0 : micros.get((int) Math.min(micros.size() - 1, Math.ceil(micros.size() * 0.99) - 1)) / 1000.0;
        Matcher failed = Pattern.compile("number of failed transactions: (\\d+)").matcher(out);
        return new double[] {number(out, "tps = ([0-9.]+)"), number(out, "latency average = ([0-9.]+) ms"), p99,
                failed.find() ? Double.parseDouble(failed.group(1)) : 0};
    }

    private static double number(String out, String pattern) {
        Matcher m = Pattern.compile(pattern).matcher(out);
        assertTrue(m.find(), "pgbench printed " + pattern + ": " + out);
        return Double.parseDouble(m.group(1));
    }

    private static long decisions(LocalEstate estate, NodeView coordinator) throws Exception {
        try (Connection su = estate.superuser(coordinator, coordinator, "app"); Statement st = su.createStatement();
             var rs = st.executeQuery("SELECT count(*) FROM idcguard.twophase_decision")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
