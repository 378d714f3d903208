package org.idcguard.agent.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import org.idcguard.agent.drill.ClusterHealth;
import org.idcguard.model.DrillRound;
import org.idcguard.agent.drill.DrillRunner;
import org.idcguard.agent.drill.DrillKind;
import org.idcguard.agent.testing.HaEstates;
import org.idcguard.agent.testing.LocalEstate;
import org.idcguard.agent.testing.MetricsScrape;
import org.idcguard.agent.testing.WritablePrimaryWatch;
import org.idcguard.model.ClusterDetail;
import org.junit.jupiter.api.Test;

/**
 * The primary IDC is lost for real (its node agents and PostgreSQL processes SIGKILLed; freezes are the subject of
 * {@link StallSweepTest}) while the
 * probe workload writes through the coordinator: every group's primary moves to IDC2, no acknowledged write is lost,
 * and when IDC1 returns its nodes are fenced, rewound and rejoin as standbys with IDC protection restored.
 */
class IdcTakeoverTest {

    @Test
    void powerOffOfThePrimaryIdcIsTakenOverAndTheIdcRejoinsWhenRestored() throws Exception {
        drill(11, "Poweroff", DrillKind.POWER_OFF);
    }

    private static void drill(int block, String name, DrillKind kind) throws Exception {
        try (LocalEstate estate = HaEstates.start(block, Map.of())) {
            HaEstates.createCluster(estate, name);
            try (WritablePrimaryWatch watch = new WritablePrimaryWatch(estate.detail(name))) {
                List<DrillRound> rounds = new DrillRunner(estate.access(), new PrintStream(OutputStream.nullOutputStream()))
                        .run(name, kind, "IDC1", 1);
                DrillRound round = rounds.get(0);
                assertTrue(round.recovered(), round.line());
                assertEquals(0, round.rpo(), "acknowledged writes lost: " + round.line());
                assertTrue(round.acked() > 50, "the probe kept writing: " + round.line());

                ClusterDetail after = estate.detail(name);
                assertEquals("IDC2", after.summary().primaryIdc(), "the IDCs swapped roles");
                assertTrue(ClusterHealth.primariesOutside(after, "IDC1"));
                assertTrue(ClusterHealth.fullyProtected(after), ClusterHealth.whatIsMissing(after));
                assertEquals(2, estate.events("failover.done").size());
                assertFalse(estate.events("node.rejoined").isEmpty(), "IDC1's nodes were rewound and rejoined");
                assertTrue(watch.samples() > 10);
                assertEquals(List.of(), watch.violations(), "two writable primaries in one group");
                scrapeShowsWhatHappened(estate, name);
                noSecretInLogsOrEvents(estate, after);
            }
        }
    }

    /** Prometheus's view of the same drill: the series exist, with the values the drill produced. */
    private static void scrapeShowsWhatHappened(LocalEstate estate, String name) {
        // as Prometheus does: with the scrape identity's token, which reads /metrics and nothing else
        String scrape = new org.idcguard.agent.home.AgentHome(estate.home()).scrapeToken();
        var answer = estate.api().getWithToken("/metrics", scrape);
        assertEquals(200, answer.status(), answer.body());
        assertEquals(403, estate.api().getWithToken("/api/clusters", scrape).status(), "the scrape identity reads metrics only");
        MetricsScrape m = new MetricsScrape(answer.body());
        assertEquals(2, m.named("idcguard_node_role").stream().filter(s -> s.has("cluster", name) && s.has("role", "primary")
                && s.has("idc", "IDC2")).count(), "one primary per group, in IDC2: " + m.named("idcguard_node_role"));
        assertEquals(8, m.named("idcguard_node_up").stream().filter(s -> s.has("cluster", name) && s.value() == 1).count());
        assertEquals(1.0, m.named("idcguard_cluster_protected").stream().filter(s -> s.has("cluster", name)).findFirst()
                .orElseThrow().value());
        assertTrue(m.named("idcguard_sync_standby").stream().filter(s -> s.has("cluster", name)).mapToDouble(MetricsScrape.Sample::value)
                .sum() >= 2, "each group waits for a standby");
        assertEquals(6, m.named("idcguard_replication_lag_bytes").stream().filter(s -> s.has("cluster", name) && s.value() >= 0).count());
        assertTrue(m.named("idcguard_probe_latency_seconds").stream().allMatch(s -> s.value() > 0 && s.value() < 5),
                m.named("idcguard_probe_latency_seconds").toString());
        double takeovers = m.value("idcguard_takeover_duration_seconds_count");
        assertEquals(2.0, takeovers, "both groups were taken over");
        double meanTakeover = m.value("idcguard_takeover_duration_seconds_sum") / takeovers;
        assertTrue(meanTakeover > 0 && meanTakeover < 30, "takeover seconds: " + meanTakeover);
        assertTrue(m.value("idcguard_rejoin_duration_seconds_count") >= 1, "IDC1's nodes rejoined");
        assertTrue(m.value("idcguard_probe_failures_total") > 0, "the powered-off nodes failed probes");
        assertEquals(401, estate.api().getWithToken("/metrics", "wrong").status(), "the metrics want the API token");
    }

    /**
     * After a creation, a takeover and a rejoin: no log (manager, node agents, PostgreSQL) and no event or alert holds
     * the API token, the application's password or the cluster's superuser password.
     */
    private static void noSecretInLogsOrEvents(LocalEstate estate, ClusterDetail detail) throws Exception {
        String jdbc = detail.uris().jdbc();
        String appPassword = java.net.URLDecoder.decode(jdbc.replaceAll(".*[?&]password=([^&]*).*", "$1"), java.nio.charset.StandardCharsets.UTF_8);
        java.nio.file.Path spec = estate.instanceFiles().stream().filter(f -> f.getFileName().toString().endsWith(".json")
                && f.getFileName().toString().contains("coordinator")).findFirst().orElseThrow();
        String superuserPassword = org.idcguard.agent.http.Json.MAPPER.readTree(spec.toFile()).get("superuserPassword").asText();
        List<String> secrets = List.of(estate.api().token(), appPassword, superuserPassword);
        assertTrue(secrets.stream().allMatch(x -> x.length() >= 16), "the secrets are real ones");
        assertTrue(org.idcguard.agent.testing.SecretScan.logCount(estate.home()) >= 5, "the logs were found");
        assertEquals(List.of(), org.idcguard.agent.testing.SecretScan.logsHolding(estate.home(), secrets), "a log holds a secret");
        List<java.nio.file.Path> files = estate.instanceFiles();
        assertTrue(files.stream().anyMatch(f -> f.getFileName().toString().endsWith(".json")), "the instances' specs were found");
        assertEquals(List.of(), org.idcguard.agent.testing.SecretScan.readableByOthers(files, secrets),
                "a file holding a secret is readable by its group or by others");
        String events = estate.api().get("/api/events").body() + estate.api().get("/api/alerts").body();
        assertTrue(events.contains("failover.done"), "the events were read");
        for (String secret : secrets) {
            assertTrue(!events.contains(secret), "an event or alert holds a secret");
        }
    }
}
