package org.idcguard.agent.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.idcguard.agent.cli.IdcGuardCli;
import org.idcguard.agent.http.Json;
import org.idcguard.agent.manager.NodeAgentClient;
import org.idcguard.agent.manager.quorum.ManagerQuorum;
import org.idcguard.agent.manager.quorum.QuorumMember;
import org.idcguard.agent.testing.HaEstates;
import org.idcguard.agent.testing.LocalEstate;
import org.idcguard.agent.testing.Waits;
import org.idcguard.agent.tls.TlsIdentity;
import org.idcguard.model.ClusterDetail;
import org.idcguard.model.NewComputer;
import org.idcguard.model.NodeView;
import org.junit.jupiter.api.Test;

/**
 * A quorum of three managers (IDC1 and IDC2 of the main city, and a third site) over real PostgreSQL loses both
 * main-city members: the survivor cannot lead alone, `manager reform` re-forms the quorum around it, it leads with
 * the metadata intact and acts, and the two old members, started again together with the old list (a majority of the
 * old ensemble), do not lead: they stop, and node agents refuse any epoch of the old ensemble.
 */
@org.junit.jupiter.api.Tag("long")
class QuorumReformTest {
    private static final String CLUSTER = "Reform";

    @Test
    void theSurvivorOfTheMainCityReformsTheQuorumAndTheOldMembersAreRefusedWhenTheyReturn() throws Exception {
        long reformedPid = 0;
        try (LocalEstate estate = HaEstates.startQuorum(66)) {
            try {
                HaEstates.createCluster(estate, CLUSTER);
                Waits.until(Duration.ofSeconds(60), "every manager is up", () -> estate.managers().stream()
                        .allMatch(m -> !m.role().equals("down") && m.applied() > 0));
                ClusterDetail before = estate.detail(CLUSTER);
                long oldEpoch = estate.api().get("/api/health").json().get("epoch").asLong();
                QuorumMember survivor = estate.quorumMember(3);
                String survivorUrl = "https://" + survivor.host() + ":7480";
                String[] reform = {"manager", "reform", "--member", "3", "--quorum", QuorumMember.format(List.of(survivor)),
                        "--accept-main-city-lost", "--reason", "IDC1 and IDC2 are lost", "--home", estate.home().toString()};

                // while the main city answers, the quorum is not re-formed
                Run refused = run(reform);
                assertEquals(1, refused.code(), refused.err());
                assertTrue(refused.err().contains("a majority that elects a leader by itself"), refused.err());

                estate.killMember(1);
                estate.killMember(2);
                // a leader without its quorum stops; restarted, it waits for a quorum (down) or follows
                Waits.until(Duration.ofSeconds(20), "the survivor does not lead", () -> !lead(estate, survivorUrl).equals("leader"));
                Thread.sleep(2 * ManagerQuorum.SESSION_MILLIS);
                assertTrue(!lead(estate, survivorUrl).equals("leader"), "one member of three led alone");

                long reformAt = System.currentTimeMillis();
                Run done = run(reform);
                long reformMillis = System.currentTimeMillis() - reformAt;
                assertEquals(0, done.code(), done.err());
                System.out.println("manager reform took " + reformMillis + " ms:\n" + done.out());
                reformedPid = Json.MAPPER.readTree(estate.home().resolve("members").resolve("3").resolve("process.json").toFile())
                        .get("supervisorPid").asLong();

                JsonNode health = estate.api().sendTo(survivorUrl, "GET", "/api/health", null, estate.api().token()).json();
                assertEquals("leader", health.get("lead").asText());
                long newEpoch = health.get("epoch").asLong();
                assertEquals(1, newEpoch >> 32, "the re-formed leader's epoch carries generation 1: " + newEpoch);
                assertTrue(newEpoch > oldEpoch);
                // the metadata is intact, and the re-formed leader acts: a replicated write, the cluster's detail
                // (a manager just started shows every node down until its first probes)
                Waits.until(Duration.ofSeconds(30), "the re-formed leader sees the cluster as it was",
                        () -> names(estate.detail(CLUSTER)).equals(names(before)));
                ClusterDetail after = estate.detail(CLUSTER);
                assertEquals(before.summary().primaryIdc(), after.summary().primaryIdc());
                assertEquals(201, estate.api().post("/api/idcs", "{\"name\":\"IDC3\",\"province\":\"Guangdong\",\"city\":\"Guangzhou\"}")
                        .status());
                List<JsonNode> reformed = estate.events("manager.reformed");
                assertEquals(1, reformed.size(), reformed.toString());
                assertTrue(reformed.get(0).get("message").asText().contains("IDC1 and IDC2 are lost"), reformed.toString());

                // the leader's probes (every second) carry its epoch to every node agent; the highest epoch the old
                // ensemble could ever reach, however many elections it holds, is refused
                Thread.sleep(3 * org.idcguard.agent.manager.server.ManagerServer.COMPUTER_PROBE_MILLIS);
                NodeView target = after.groups().get(0).nodes().get(0);
                var identity = TlsIdentity.load(estate.home().resolve("tls").resolve("manager-1.p12")).orElseThrow();
                String endpoint = NewComputer.defaultEndpoint(target.address());
                var refusedCommand = assertThrows(NodeAgentClient.NodeAgentRefused.class,
                        () -> oldEnsemble(identity, (1L << 32) - 1).stopInstance(endpoint, target.name(), "fast"));
                assertTrue(refusedCommand.getMessage().contains("deposed"), refusedCommand.getMessage());

                // the main city's two members come back together, with the old list: a majority of the old ensemble
                estate.startMember(1);
                estate.startMember(2);
                for (int id = 1; id <= 2; id++) {
                    int code = estate.memberExitCode(id, Duration.ofSeconds(40));
                    assertEquals(ManagerQuorum.EXIT_SUPERSEDED, code, "old member " + id + " did not stop (exit " + code + "); "
                            + "its log ends: " + estate.memberLogTail(id));
                    assertTrue(estate.memberLogTail(id).contains("re-formed by member 3 as generation 1"), estate.memberLogTail(id));
                }
                for (int id = 1; id <= 2; id++) {
                    assertEquals("down", lead(estate, "https://" + estate.quorumMember(id).host() + ":7480"), "old member " + id);
                }
                assertEquals("leader", lead(estate, survivorUrl));
                assertTrue(new NodeAgentClient(identity).instances(endpoint).stream()
                        .anyMatch(i -> i.name().equals(target.name()) && i.running()), "a refused command changed nothing");
            } finally {
                ProcessHandle.of(reformedPid).ifPresent(p -> {
                    p.destroy(); // its supervisor stops the manager it runs
                    p.onExit().join();
                });
            }
        }
    }

    private record Run(int code, String out, String err) { }

    /** Runs the command line in this process, as the DBA would on the survivor's host. */
    private static synchronized Run run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        try {
            int code = IdcGuardCli.run(args);
            return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
            out.print(o.toString(StandardCharsets.UTF_8));
        }
    }

    /** "leader" or "follower" as the manager at url says, "down" when it does not answer. */
    private static String lead(LocalEstate estate, String url) {
        try {
            var answer = estate.api().sendTo(url, "GET", "/api/health", null, estate.api().token());
            return answer.status() == 200 ? answer.json().path("lead").asText() : "down";
        } catch (RuntimeException e) {
            return "down";
        }
    }

    private static List<String> names(ClusterDetail d) {
        return d.groups().stream().flatMap(g -> g.nodes().stream()).map(n -> n.name() + "@" + n.address() + ":" + n.role()).sorted().toList();
    }

    private static NodeAgentClient oldEnsemble(TlsIdentity identity, long epoch) {
        return new NodeAgentClient(identity, new NodeAgentClient.Leadership() {
            @Override
            public boolean mayAct() {
                return true;
            }

            @Override
            public long epoch() {
                return epoch;
            }
        });
    }
}
