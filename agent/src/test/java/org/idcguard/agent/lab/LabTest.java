package org.idcguard.agent.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.idcguard.agent.drill.ClusterHealth;
import org.idcguard.agent.http.Json;
import org.idcguard.agent.node.PostgresBinaries;
import org.idcguard.agent.testing.AgentProcess;
import org.idcguard.agent.testing.ApiCaller;
import org.idcguard.agent.testing.TempHome;
import org.idcguard.agent.testing.Waits;
import org.idcguard.model.ClusterDetail;
import org.junit.jupiter.api.Test;

/**
 * IDC Guard on separate hosts: the lab's namespaces, each computer with its own address and home, the manager at a
 * third site, the application on its own host writing through the printed URI with a new connection per write. The
 * faults are real black holes. Every acknowledged write must survive each of them.
 */
@org.junit.jupiter.api.Tag("long")
class LabTest {
    private static final Duration RECOVERY = Duration.ofSeconds(90);

    @Test
    void aClusterOnSeparateHostsSurvivesPowerOffBlackHoleAndAManagerCutWithNothingLost() throws Exception {
        assumeTrue(LabNetwork.whyNot().isEmpty(), () -> "skipped: " + LabNetwork.whyNot().orElse(""));
        assumeTrue(!LabNetwork.isUp(), "skipped: a lab is already up on this machine");
        assumeTrue(LabNetwork.run(List.of("sh", "-c", "command -v haproxy")).exit() == 0, "skipped: haproxy is not installed");
        Path psql = PostgresBinaries.find().orElseThrow().binDir().resolve("psql");
        try (TempHome home = new TempHome()) {
            Path h = home.dir();
            try {
                cli(h, "lab", "up");
                ApiCaller api = new ApiCaller(h);
                cli(h, "cluster", "create", "Lab", "--city", "Shenzhen", "--primary-idc", "IDC1", "--backup-idc", "IDC2",
                        "--shards", "1", "--clients", "10.77.8.0/24");
                ClusterDetail created = detail(api);
                String uri = created.uris().libpq();
                assertTrue(uri.contains("10.77.1."), uri);

                // the application host writes; the workstation is outside the client networks and is refused
                assertEquals(0, psqlFrom(LabNetwork.application(), psql, uri,
                        "CREATE TABLE lab_probe (id bigint PRIMARY KEY)").exit(), "the application host is let in");
                ProcessBuilder fromWorkstation = new ProcessBuilder(psql.toString(), Psql.split(uri).uri(), "-qAtX", "-c", "SELECT 1")
                        .redirectErrorStream(true);
                fromWorkstation.environment().putAll(Psql.environment(uri)); // the right password does not help it
                Process outsiderPsql = fromWorkstation.start();
                LabNetwork.Result outsider = new LabNetwork.Result(outsiderPsql.waitFor(),
                        new String(outsiderPsql.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
                assertTrue(outsider.exit() != 0 && outsider.output().contains("no pg_hba.conf entry for host \"10.77.0.1\""),
                        outsider.output());

                // the application host's HAProxy route: one address that leads to the coordinator's primary
                Path routeDir = h.resolve("route");
                cli(h, "cluster", "route", "Lab", "--bind", LabNetwork.application().address() + ":6432", "--dir", routeDir.toString());
                String routed = Files.readString(h.resolve("route-uri.txt")).strip();
                Process haproxy = new ProcessBuilder(LabNetwork.inside(LabNetwork.application(), List.of("haproxy", "-f", "haproxy.cfg")))
                        .directory(routeDir.toFile()).redirectErrorStream(true).redirectOutput(h.resolve("haproxy.log").toFile()).start();
                AppWriter writer = null;
                try {
                    Waits.until(Duration.ofSeconds(30), "the route leads to the primary",
                            () -> psqlFrom(LabNetwork.application(), psql, routed, "SELECT NOT pg_is_in_recovery()").output().strip().equals("t"));
                    writer = new AppWriter(h, psql, routed, "lab_probe");
                    awaitMore(writer, 20);
                    String first = created.summary().primaryIdc();
                    long firstMark = lastEventId(api);
                    cli(h, "lab", "fault", "power-off", first);
                    Waits.until(RECOVERY, "the primaries leave the powered-off IDC", () -> ClusterHealth.primariesOutside(detail(api), first));
                    awaitMore(writer, 20);
                    cli(h, "lab", "restore");
                    Waits.until(RECOVERY, "the cluster is fully protected again", () -> ClusterHealth.fullyProtected(detail(api)));

                    assertOneDownThenOneUp(api, firstMark, first);
                    String second = detail(api).summary().primaryIdc();
                    assertTrue(!second.equals(first), "the primary IDC moved");
                    long secondMark = lastEventId(api);
                    cli(h, "lab", "fault", "blackhole", second);
                    Waits.until(RECOVERY, "the primaries leave the black-holed IDC", () -> ClusterHealth.primariesOutside(detail(api), second));
                    awaitMore(writer, 20);
                    cli(h, "lab", "restore");
                    Waits.until(RECOVERY, "the cluster is fully protected again", () -> ClusterHealth.fullyProtected(detail(api)));

                    assertOneDownThenOneUp(api, secondMark, second);
                    // the manager alone loses the primary IDC: the IDCs still talk, so nothing moves
                    String third = detail(api).summary().primaryIdc();
                    long before = api.get("/api/events").json().size();
                    cli(h, "lab", "fault", "cut-manager", third);
                    Waits.until(Duration.ofSeconds(30), "the manager says why it withholds a takeover",
                            () -> eventsAfter(api, before).contains("failover.withheld"));
                    assertTrue(eventsAfter(api, before).contains("still receive its WAL"), eventsAfter(api, before));
                    Thread.sleep(10_000); // well past the takeover timeout: a takeover would have started
                    assertEquals(third, detail(api).summary().primaryIdc(), () -> "no takeover while the IDCs still talk; the events since the cut: "
                            + eventsAfter(api, before) + "\n" + logs(h));
                    assertTrue(!eventsAfter(api, before).contains("failover.started"), eventsAfter(api, before));
                    awaitMore(writer, 20);
                    cli(h, "lab", "restore");
                    Waits.until(RECOVERY, "the cluster is fully protected again", () -> ClusterHealth.fullyProtected(detail(api)));
                } finally {
                    if (writer != null) {
                        writer.close();
                    }
                    haproxy.destroy();
                    haproxy.waitFor();
                }
                Set<Long> acked = new HashSet<>();
                writer.acked().forEach(a -> acked.add(a.id()));
                assertTrue(acked.size() > 60, "writes were acknowledged: " + acked.size());
                LabNetwork.Result stored = psqlFrom(LabNetwork.application(), psql, uri, "SELECT id FROM lab_probe");
                Set<Long> present = new HashSet<>();
                stored.output().lines().filter(l -> l.strip().matches("\\d+")).forEach(l -> present.add(Long.parseLong(l.strip())));
                Set<Long> lost = new HashSet<>(acked);
                lost.removeAll(present);
                assertEquals(Set.of(), lost, "every acknowledged write is present");
            } finally {
                cli(h, "lab", "down");
            }
            assertTrue(!LabNetwork.isUp(), "lab down removes the network");
        }
    }

    private static String logs(Path home) {
        return LabLogs.tails(home, 10);
    }

    private static long lastEventId(ApiCaller api) {
        long last = 0;
        for (var e : api.get("/api/events").json()) {
            last = Math.max(last, e.get("id").asLong());
        }
        return last;
    }

    /** The IDC was said down once and back once, in that order, however its nodes came back one by one. */
    private static void assertOneDownThenOneUp(ApiCaller api, long afterId, String idc) {
        Waits.until(Duration.ofSeconds(30), idc + " is said to answer again", () -> idcEvents(api, afterId, idc).contains("idc.up"));
        assertEquals(List.of("idc.down", "idc.up"), idcEvents(api, afterId, idc));
    }

    private static List<String> idcEvents(ApiCaller api, long afterId, String idc) {
        List<String> kinds = new ArrayList<>();
        for (var e : api.get("/api/events?after=" + afterId).json()) {
            String kind = e.get("kind").asText();
            if ((kind.equals("idc.down") || kind.equals("idc.up")) && e.get("message").asText().startsWith("IDC " + idc + " ")) {
                kinds.add(kind);
            }
        }
        return kinds;
    }

    private static String eventsAfter(ApiCaller api, long count) {
        var events = api.get("/api/events").json();
        StringBuilder text = new StringBuilder();
        for (int i = (int) count; i < events.size(); i++) {
            text.append(events.get(i).toString()).append('\n');
        }
        return text.toString();
    }

    private static ClusterDetail detail(ApiCaller api) {
        try {
            return Json.MAPPER.readValue(api.get("/api/clusters/Lab").body(), ClusterDetail.class);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static LabNetwork.Result psqlFrom(LabHost host, Path psql, String uri, String sql) {
        return Psql.run(host, psql, uri, sql);
    }

    private static void cli(Path home, String... args) {
        try (AgentProcess p = AgentProcess.start(home, args)) {
            int exit = p.exitCode(Duration.ofMinutes(5));
            assertEquals(0, exit, String.join(" ", args) + ":\n" + p.logTail() + logs(home));
            if (args[0].equals("cluster") && args[1].equals("route")) {
                Files.writeString(home.resolve("route-uri.txt"), p.logTail().lines().filter(l -> l.startsWith("postgresql://"))
                        .findFirst().orElseThrow());
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitMore(AppWriter writer, int writes) {
        int start = writer.acked().size();
        Waits.until(RECOVERY, writes + " more acknowledged writes", () -> writer.acked().size() >= start + writes);
    }
}
