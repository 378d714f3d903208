package org.idcguard.agent.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.idcguard.agent.drill.ClusterAccess;
import org.idcguard.agent.http.Json;
import org.idcguard.model.ClusterDetail;
import org.idcguard.model.NodeView;

/**
 * A real manager and real node agents (separate processes) on loopback addresses, with IDCs added and the
 * computers bound: the estate the cluster and HA tests run on. Closing it deletes any clusters left, stops
 * every process it started and removes its home.
 */
public final class LocalEstate implements AutoCloseable {
    private final TempHome home = new TempHome();
    private final ApiCaller api = new ApiCaller(home.dir());
    private final Map<String, AgentProcess> nodes = new LinkedHashMap<>();
    private AgentProcess manager;
    /** A quorum's member supervisors by member id; empty for a sole manager. */
    private final Map<Integer, AgentProcess> members = new LinkedHashMap<>();
    private List<org.idcguard.agent.manager.quorum.QuorumMember> quorum = List.of();
    private static final List<String> SITES = List.of("IDC1", "IDC2", "site3");

    /** @param computersByIdc IDC name to the addresses of its computers; every IDC is in Guangdong / Shenzhen */
    public LocalEstate(Map<String, List<String>> computersByIdc) {
        this(computersByIdc, Map.of());
    }

    /** @param managerEnv extra environment of the first manager process (e.g. a test pause) */
    public LocalEstate(Map<String, List<String>> computersByIdc, Map<String, String> managerEnv) {
        this(computersByIdc, managerEnv, 0);
    }

    /**
     * With quorumBlock &gt; 0: a quorum of three managers instead of one, each with its embedded ZooKeeper peer, on
     * 127.0.{quorumBlock}.11 (IDC1), .12 (IDC2) and .13 (a third site); managerEnv goes to every member.
     */
    public LocalEstate(Map<String, List<String>> computersByIdc, Map<String, String> managerEnv, int quorumBlock) {
        try {
            if (quorumBlock > 0) {
                startQuorum(quorumBlock, managerEnv);
            } else {
                manager = AgentProcess.manager(home.dir(), managerEnv);
            }
            computersByIdc.values().stream().flatMap(List::stream).forEach(this::startNode);
            Waits.until(Duration.ofSeconds(30), "the manager answers", api::managerAnswers);
            computersByIdc.forEach((idc, addresses) -> {
                assertEquals(201, api.post("/api/idcs", "{\"name\":\"" + idc + "\",\"province\":\"Guangdong\",\"city\":\"Shenzhen\"}").status());
                addresses.forEach(a -> addComputer(a, idc));
            });
        } catch (RuntimeException | AssertionError e) {
            close(); // a half-built estate must not leave its processes behind
            throw e;
        }
    }

    /** Adds an IDC in another city (a DR city) with a node agent on each of its computers, registered and bound. */
    public void addIdc(String idc, String province, String city, List<String> addresses) {
        addresses.forEach(this::startNode);
        assertEquals(201, api.post("/api/idcs", "{\"name\":\"" + idc + "\",\"province\":\"" + province + "\",\"city\":\""
                + city + "\"}").status());
        addresses.forEach(a -> addComputer(a, idc));
    }

    public void startNode(String address) {
        nodes.put(address, AgentProcess.start(home.dir(), "node", "--address", address));
    }

    private void startQuorum(int block, Map<String, String> env) {
        var agentHome = new org.idcguard.agent.home.AgentHome(home.dir()).create();
        agentHome.token();
        org.idcguard.agent.tls.CertificateAuthority.loadOrCreate(agentHome); // shared by the three: made once, first
        quorum = List.of(
                new org.idcguard.agent.manager.quorum.QuorumMember(1, "127.0." + block + ".11", 7490, 7491, 7492),
                new org.idcguard.agent.manager.quorum.QuorumMember(2, "127.0." + block + ".12", 7490, 7491, 7492),
                new org.idcguard.agent.manager.quorum.QuorumMember(3, "127.0." + block + ".13", 7490, 7491, 7492));
        StringBuilder urls = new StringBuilder();
        quorum.forEach(m -> urls.append("https://").append(m.host()).append(":7480\n"));
        try {
            Files.writeString(home.dir().resolve("manager.urls"), urls);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        quorum.forEach(m -> startMember(m.id(), env));
        Waits.until(Duration.ofSeconds(60), "a manager of the quorum leads", api::managerAnswers);
    }

    /** Starts the member's supervisor (and so its manager and ZooKeeper peer). */
    public void startMember(int id) {
        startMember(id, Map.of());
    }

    public void startMember(int id, Map<String, String> env) {
        startMember(id, env, List.of());
    }

    /** Starts the member through a prefix that execs it (e.g. into a cgroup a test cuts off). */
    public void startMember(int id, Map<String, String> env, List<String> prefix) {
        var m = quorum.get(id - 1);
        members.put(id, AgentProcess.start(home.dir(), env, prefix, "manager", "--member", Integer.toString(id), "--quorum",
                org.idcguard.agent.manager.quorum.QuorumMember.format(quorum), "--listen", m.host(), "--port", "7480",
                "--idc", SITES.get(id - 1)));
    }

    /** The quorum's managers as GET /api/managers shows them (asked of the leader). */
    public List<org.idcguard.model.ManagerInfo> managers() {
        try {
            return Json.MAPPER.readValue(api.get("/api/managers").body(),
                    new com.fasterxml.jackson.core.type.TypeReference<List<org.idcguard.model.ManagerInfo>>() { });
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public int leaderId() {
        return managers().stream().filter(m -> m.role().equals("leader")).mapToInt(org.idcguard.model.ManagerInfo::id)
                .findFirst().orElse(0);
    }

    /** SIGKILLs the member's supervisor and the manager it runs, ZooKeeper peer included. */
    public void killMember(int id) {
        long pid = managers().stream().filter(m -> m.id() == id).mapToLong(org.idcguard.model.ManagerInfo::pid).findFirst().orElse(0);
        members.get(id).kill();
        ProcessHandle.of(pid).ifPresent(p -> {
            p.destroyForcibly();
            p.onExit().join();
        });
    }

    /** The exit code of the member's supervisor once it ended within the time, else -1 (it still runs). */
    public int memberExitCode(int id, Duration within) {
        return members.get(id).exitCode(within);
    }

    /** The last lines the member's supervisor (and its manager) wrote. */
    public String memberLogTail(int id) {
        return members.get(id).logTail();
    }

    /** The member's address and ports as the estate started it. */
    public org.idcguard.agent.manager.quorum.QuorumMember quorumMember(int id) {
        return quorum.get(id - 1);
    }

    /** Stops the member as an operator would (SIGTERM to its supervisor, which stops its manager). */
    public void stopMember(int id) {
        members.get(id).close();
    }

    /** Kills and restarts leaders until member id leads (a new leader is the member that waited longest). */
    public void moveLeadTo(int id) {
        for (int tries = 0; tries < 6; tries++) {
            int leader = leaderId();
            if (leader == id) {
                return;
            }
            killMember(leader);
            Waits.until(Duration.ofSeconds(30), "another manager leads", () -> { int now = leaderId(); return now != 0 && now != leader; });
            startMember(leader);
            Waits.until(Duration.ofSeconds(60), "member " + leader + " follows again", () -> managers().stream()
                    .anyMatch(m -> m.id() == leader && m.role().equals("follower")));
        }
        throw new AssertionError("member " + id + " did not come to lead");
    }

    /** SIGKILLs the manager (no shutdown hook runs) and starts a new one on the same home. */
    public void killAndRestartManager() {
        manager.kill();
        manager = AgentProcess.manager(home.dir());
        Waits.until(Duration.ofSeconds(30), "the restarted manager answers", api::managerAnswers);
    }

    /** The pid of the node agent this estate started on the computer (to freeze it alone, without its PostgreSQL). */
    public long nodeAgentPid(String address) {
        return nodes.get(address).pid();
    }

    /** SIGKILLs the computer's node agent (its PostgreSQL instances live on). */
    public void killNode(String address) {
        nodes.get(address).kill();
    }

    /** SIGKILLs the computer's node agent (its PostgreSQL instances live on) and starts a new one. */
    public void restartNode(String address) {
        nodes.get(address).kill();
        startNode(address);
    }

    public void startNode(String address, Map<String, String> env) {
        nodes.put(address, AgentProcess.start(home.dir(), env, "node", "--address", address));
    }

    /** Registers the computer (waiting for its agent to answer) and binds it. */
    public void addComputer(String address, String idc) {
        ApiCaller.Answer[] last = new ApiCaller.Answer[1];
        try {
            Waits.until(Duration.ofSeconds(60), "computer " + address + " is registered", () -> {
                last[0] = api.post("/api/computers", "{\"address\":\"" + address + "\",\"idc\":\"" + idc + "\"}");
                return last[0].status() == 201;
            });
        } catch (AssertionError timedOut) {
            AgentProcess node = nodes.get(address);
            throw new AssertionError(timedOut.getMessage() + "; the manager's last answer: " + (last[0] == null ? "none"
                    : last[0].status() + " " + last[0].body()) + "; node agent " + (node == null ? "not started"
                    : (node.isAlive() ? "running" : "exited") + ", its log ends: " + node.logTail()), timedOut);
        }
    }

    /** SIGKILLs the manager and starts a new one (without any test environment) on the same home. */
    public void killManager() {
        manager.kill();
    }

    public void startManager() {
        startManager(Map.of());
    }

    /** Starts a manager on the same home with extra environment (e.g. a test pause at one step). */
    public void startManager(Map<String, String> env) {
        manager = AgentProcess.manager(home.dir(), env);
        Waits.until(Duration.ofSeconds(30), "the restarted manager answers", api::managerAnswers);
    }

    /** The events of one kind whose message is exactly this text. */
    public List<JsonNode> events(String kind, String message) {
        return events(kind).stream().filter(e -> e.get("message").asText().equals(message)).toList();
    }

    public ClusterDetail detail(String cluster) {
        var answer = api.get("/api/clusters/" + cluster);
        assertEquals(200, answer.status(), answer.body());
        try {
            return Json.MAPPER.readValue(answer.body(), ClusterDetail.class);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The timeline's events of one kind so far. */
    /** The id of the newest event: a mark, so that a test sharing its estate with others looks only at its own events. */
    public long lastEventId() {
        long last = 0;
        while (true) {
            JsonNode page = api().get("/api/events?after=" + last).json();
            if (page.isEmpty()) {
                return last;
            }
            for (JsonNode e : page) {
                last = Math.max(last, e.get("id").asLong());
            }
        }
    }

    /** Events of a kind recorded after the mark. */
    public List<JsonNode> eventsAfter(long mark, String kind) {
        return events(kind).stream().filter(e -> e.get("id").asLong() > mark).toList();
    }

    public List<JsonNode> events(String kind) {
        List<JsonNode> found = new ArrayList<>();
        api.get("/api/events?after=0").json().forEach(e -> {
            if (e.get("kind").asText().equals(kind)) {
                found.add(e);
            }
        });
        return found;
    }

    /** What a drill needs, served by this estate: node agents restarted as this estate's processes. */
    public ClusterAccess access() {
        return new ClusterAccess() {
            @Override
            public ClusterDetail detail(String cluster) {
                return LocalEstate.this.detail(cluster);
            }

            @Override
            public List<org.idcguard.model.Event> events(long afterId) {
                try {
                    return Json.MAPPER.readValue(api.get("/api/events?after=" + afterId).body(),
                            new com.fasterxml.jackson.core.type.TypeReference<List<org.idcguard.model.Event>>() { });
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public java.util.Optional<Path> managersHome() {
                return members.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(home.dir());
            }

            @Override
            public List<String> computersOf(String idc) {
                List<String> addresses = new ArrayList<>();
                api.get("/api/computers").json().forEach(c -> {
                    if (idc.equals(c.path("idc").asText())) {
                        addresses.add(c.get("address").asText());
                    }
                });
                return addresses;
            }

            @Override
            public void restartNodeAgent(String address) {
                startNode(address);
            }

            @Override
            public long faultByAgents(String idc, String kind, int seconds) {
                var struck = api.post("/api/idcs/" + idc + "/faults", "{\"kind\":\"" + kind + "\",\"seconds\":" + seconds + "}");
                if (struck.status() != 200) {
                    throw new IllegalStateException(struck.error());
                }
                long at = Long.MAX_VALUE;
                for (JsonNode s : struck.json()) {
                    at = Math.min(at, s.get("struckAtMillis").asLong());
                }
                return at;
            }

            @Override
            public void restoreByAgents(String idc) {
                api.delete("/api/idcs/" + idc + "/faults");
            }

            @Override
            public boolean reachable(String address) {
                return "REACHABLE".equals(api.get("/api/computers/" + address).json().path("status").asText());
            }

            @Override
            public void switchPrimary(String cluster, String to) {
                var started = api.post("/api/clusters/" + cluster + "/switch", "{\"to\":\"" + to + "\"}");
                if (started.status() != 202) {
                    throw new IllegalStateException(started.error());
                }
                JsonNode task = awaitTask(started.json().get("id").asLong(), Duration.ofMinutes(2));
                if (!"succeeded".equals(task.get("status").asText())) {
                    throw new IllegalStateException(task.get("message").asText());
                }
            }
        };
    }

    public ApiCaller api() {
        return api;
    }

    public Path home() {
        return home.dir();
    }

    /** Starts a creation and waits for its task to end; returns the task. */
    public JsonNode createCluster(String body) {
        var answer = api.post("/api/clusters", body);
        assertEquals(202, answer.status(), answer.body());
        return awaitTask(answer.json().get("id").asLong(), Duration.ofMinutes(3));
    }

    public JsonNode awaitTask(long id, Duration timeout) {
        JsonNode[] task = new JsonNode[1];
        Waits.until(timeout, "task " + id + " ends", () -> {
            task[0] = api.get("/api/tasks/" + id).json();
            return !"running".equals(task[0].get("status").asText());
        });
        return task[0];
    }

    /** The process's command line as /proc has it (ProcessHandle.Info may leave the arguments out). */
    private static String commandLine(ProcessHandle p) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(p.pid()), "cmdline")).replace('\0', ' ');
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /**
     * PostgreSQL servers whose data directory lies in this estate's home. A backend just forked by a server still shows
     * the server's command line until it names itself, so processes whose parent is a PostgreSQL process are left out:
     * they come and go with every connection.
     */
    public List<ProcessHandle> postgresProcesses() {
        String marker = home.dir().toString();
        return ProcessHandle.allProcesses()
                .filter(LocalEstate::isPostgres)
                .filter(p -> p.info().arguments().map(a -> String.join(" ", a).contains(marker)).orElse(false))
                .filter(p -> p.parent().map(parent -> !isPostgres(parent)).orElse(true))
                .toList();
    }

    private static boolean isPostgres(ProcessHandle p) {
        return p.info().command().map(c -> c.endsWith("/postgres")).orElse(false);
    }

    /**
     * A superuser session to a node, with the credentials written in the instance spec of specOf (every member of a
     * group shares them; a spec names the instance it was written for, which a promotion does not rename).
     */
    public Connection superuser(NodeView node, NodeView specOf) throws Exception {
        return superuser(node, specOf, "postgres");
    }

    /** The same, to a database of the instance. */
    public Connection superuser(NodeView node, NodeView specOf, String database) throws Exception {
        Path spec;
        // specs lie at nodes/<address>/<cluster>/<name>.json; deeper are live data directories, whose files come and go
        try (Stream<Path> specs = Files.find(home.dir().resolve("nodes"), 3,
                (f, attributes) -> attributes.isRegularFile() && f.getFileName().toString().equals(specOf.name() + ".json"))) {
            spec = specs.findFirst().orElseThrow(() -> new AssertionError("no instance spec for " + specOf.name()));
        }
        JsonNode s = Json.MAPPER.readTree(spec.toFile());
        return DriverManager.getConnection("jdbc:postgresql://" + node.address() + ":" + node.port() + "/" + database + "?user="
                + s.get("superuser").asText() + "&password=" + s.get("superuserPassword").asText() + "&connectTimeout=5");
    }

    /** Files left under the computers' instance folders (specs, logs, data directories). */
    public List<Path> instanceFiles() {
        Path nodesDir = home.dir().resolve("nodes");
        if (!Files.exists(nodesDir)) {
            return List.of();
        }
        // Live data directories change while they are walked (a node agent renews a primary's lease file by writing a
        // temporary one and moving it into place every probe interval): a file gone meanwhile was not left behind.
        List<Path> files = new java.util.ArrayList<>();
        try {
            Files.walkFileTree(nodesDir, new java.nio.file.SimpleFileVisitor<>() {
                @Override
                public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes attrs) {
                    if (attrs.isRegularFile()) {
                        files.add(file);
                    }
                    return java.nio.file.FileVisitResult.CONTINUE;
                }

                @Override
                public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof java.nio.file.NoSuchFileException) {
                        return java.nio.file.FileVisitResult.CONTINUE;
                    }
                    throw e;
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return List.copyOf(files);
    }

    @Override
    public void close() {
        try {
            if (((manager != null && manager.isAlive()) || !members.isEmpty()) && api.managerAnswers()) {
                for (JsonNode c : api.get("/api/clusters").json()) {
                    var answer = api.delete("/api/clusters/" + c.get("name").asText());
                    if (answer.status() == 202) {
                        awaitTask(answer.json().get("id").asLong(), Duration.ofMinutes(2));
                    }
                }
            }
        } finally {
            List<AgentProcess> all = new ArrayList<>(members.values()); // the managers first: they would restart what goes
            all.addAll(nodes.values());
            if (manager != null) {
                all.add(manager);
            }
            all.forEach(AgentProcess::close);
            // Whatever else still runs from this home (an agent restarted by a drill, a server it started) goes too.
            String marker = home.dir().toString();
            ProcessHandle.allProcesses().filter(p -> commandLine(p).contains(marker))
                    .forEach(ProcessHandle::destroyForcibly); // SIGKILL ends a SIGSTOPped process too
            postgresProcesses().forEach(ProcessHandle::destroyForcibly);
            home.close();
        }
    }
}
