package org.idcguard.agent.cli;

import org.idcguard.client.ApiPaths;

import com.fasterxml.jackson.core.type.TypeReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.idcguard.agent.drill.ClusterHealth;
import org.idcguard.agent.home.AgentHome;
import org.idcguard.agent.lab.AppWriter;
import org.idcguard.agent.lab.LabHost;
import org.idcguard.agent.lab.LabNetwork;
import org.idcguard.agent.node.PostgresBinaries;
import org.idcguard.model.ClusterDetail;
import org.idcguard.model.RouteConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lab bench NAME --fault power-off|blackhole --rounds N}: rounds of a fault of the primary IDC of the moment,
 * measured from the application host as a client sees them: the longest gap between acknowledged writes (one new
 * connection per write through the printed URI), a new connection while the IDC is dark through the printed URI and
 * through the HAProxy route, the rejoin after restore, and every acknowledged write checked at the end.
 */
@Command(name = "bench", description = "Rounds of a lab fault of the primary IDC, measured from the application host.")
final class LabBenchCommand implements Callable<Integer> {
    private static final long LIMIT_MILLIS = 120_000;
    private static final String TABLE = "lab_bench";
    @Mixin
    HomeOption homeOption;
    @Parameters(paramLabel = "NAME")
    String name;
    @Option(names = "--fault", required = true, description = "power-off or blackhole")
    String fault;
    @Option(names = "--rounds", defaultValue = "10")
    int rounds;

    private record Round(long rtoMillis, long routeRtoMillis, long uriConnectMillis, long routeConnectMillis, long rejoinMillis) {
    }

    @Override
    public Integer call() throws Exception {
        if (!List.of("power-off", "blackhole").contains(fault)) {
            throw new CliFailure("The bench's faults are power-off and blackhole.", 2);
        }
        if (!LabNetwork.isUp()) {
            throw new CliFailure("No lab is up on this machine: 'idcguard lab up' first.");
        }
        AgentHome home = homeOption.home();
        ManagerClient manager = ManagerClient.of(home);
        Path psql = PostgresBinaries.find().orElseThrow(() -> new CliFailure("psql was not found.")).binDir().resolve("psql");
        LabHost app = LabNetwork.application();
        String uri = detail(manager).uris().libpq();
        Path dir = home.root().resolve("lab").resolve("bench");
        Files.createDirectories(dir);
        RouteConfig route = manager.get(ApiPaths.query(ApiPaths.cluster(name, "route"), "bind", app.address() + ":6432"), new TypeReference<>() { });
        ClusterCommand.Route.writeRoute(route, dir);
        sql(psql, uri, "CREATE TABLE IF NOT EXISTS " + TABLE + " (id bigint PRIMARY KEY)");
        sql(psql, uri, "TRUNCATE " + TABLE);
        sql(psql, uri, "CREATE TABLE IF NOT EXISTS " + TABLE + "_route (id bigint PRIMARY KEY)");
        sql(psql, uri, "TRUNCATE " + TABLE + "_route");
        Process haproxy = new ProcessBuilder(LabNetwork.inside(app, List.of("haproxy", "-f", "haproxy.cfg")))
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("haproxy.log").toFile()).start();
        List<Round> done = new ArrayList<>();
        long acked;
        long lost;
        await(() -> connectMillis(psql, route.uri()) >= 0, "the route");
        try (AppWriter writer = new AppWriter(dir, psql, uri, TABLE);
             AppWriter routed = new AppWriter(dir, psql, route.uri(), TABLE + "_route")) {
            for (int r = 1; r <= rounds; r++) {
                ClusterHealth.await(new ManagerOnly(manager), name, ClusterHealth::fullyProtected, LIMIT_MILLIS, "full protection");
                Thread.sleep(3000);
                String idc = detail(manager).summary().primaryIdc();
                long at = System.currentTimeMillis();
                LabNetwork.darken(LabNetwork.computersOf(idc), fault.equals("power-off"));
                await(() -> ClusterHealth.primariesOutside(detail(manager), idc), "the takeover");
                await(() -> writer.acked().stream().filter(a -> a.atMillis() > at).count() >= 10
                        && routed.acked().stream().filter(a -> a.atMillis() > at).count() >= 10, "writes after the takeover");
                long rto = writer.longestGapAfter(at);
                long routeRto = routed.longestGapAfter(at);
                long uriConnect = connectMillis(psql, uri);
                long routeConnect = connectMillis(psql, route.uri());
                long restoredAt = System.currentTimeMillis();
                LabCommand.restore(home);
                ClusterHealth.await(new ManagerOnly(manager), name, ClusterHealth::fullyProtected, LIMIT_MILLIS, "the rejoin");
                Round round = new Round(rto, routeRto, uriConnect, routeConnect, System.currentTimeMillis() - restoredAt);
                done.add(round);
                System.out.println("round=" + r + " fault=" + fault + " idc=" + idc + " rto_ms=" + round.rtoMillis()
                        + " rto_route_ms=" + round.routeRtoMillis()
                        + " new_connection_uri_ms=" + round.uriConnectMillis() + " new_connection_route_ms=" + round.routeConnectMillis()
                        + " rejoin_ms=" + round.rejoinMillis());
            }
            // the writers stop first: an id acknowledged after the table was read would count as lost
            writer.close();
            routed.close();
            acked = writer.acked().size() + routed.acked().size();
            lost = lost(psql, uri, writer, TABLE) + lost(psql, uri, routed, TABLE + "_route");
        } finally {
            haproxy.destroy();
            haproxy.waitFor();
        }
        System.out.println("summary fault=" + fault + " rounds=" + done.size() + " acked=" + acked + " lost=" + lost
                + " rto_ms median " + median(done.stream().map(Round::rtoMillis).toList()) + " worst "
                + done.stream().mapToLong(Round::rtoMillis).max().orElse(0)
                + "; through the route median " + median(done.stream().map(Round::routeRtoMillis).toList()) + " worst "
                + done.stream().mapToLong(Round::routeRtoMillis).max().orElse(0)
                + "; new connection while dark: uri median " + median(done.stream().map(Round::uriConnectMillis).toList())
                + " worst " + done.stream().mapToLong(Round::uriConnectMillis).max().orElse(0)
                + ", route median " + median(done.stream().map(Round::routeConnectMillis).toList())
                + " worst " + done.stream().mapToLong(Round::routeConnectMillis).max().orElse(0)
                + "; rejoin_ms median " + median(done.stream().map(Round::rejoinMillis).toList())
                + " worst " + done.stream().mapToLong(Round::rejoinMillis).max().orElse(0));
        return lost == 0 ? 0 : 1;
    }

    /** How many of the writer's acknowledged ids its table lacks. */
    private static long lost(Path psql, String uri, AppWriter writer, String table) {
        java.util.Set<Long> present = new java.util.HashSet<>();
        sql(psql, uri, "SELECT id FROM " + table).lines().map(String::strip).filter(l -> l.matches("\\d+"))
                .forEach(l -> present.add(Long.parseLong(l)));
        return writer.acked().stream().filter(a -> !present.contains(a.id())).count();
    }

    /** The middle value (the mean of the two middle ones for an even count), as the drill reports it. */
    private static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n == 0 ? -1 : n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private ClusterDetail detail(ManagerClient manager) {
        return manager.get(ApiPaths.cluster(name), new TypeReference<ClusterDetail>() { });
    }

    /** How long a new connection and one query take from the application host (psql's start included). */
    private static long connectMillis(Path psql, String uri) {
        long start = System.currentTimeMillis();
        String out = sql(psql, uri, "SELECT 1");
        long took = System.currentTimeMillis() - start;
        return out.strip().equals("1") ? took : -1;
    }

    private static String sql(Path psql, String uri, String statement) {
        return org.idcguard.agent.lab.Psql.run(LabNetwork.application(), psql, uri, statement).output();
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + LIMIT_MILLIS;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new CliFailure(what + " did not come within " + LIMIT_MILLIS / 1000 + " s.");
            }
            Thread.sleep(100);
        }
    }

    /** The manager's view, all a health wait needs. */
    private record ManagerOnly(ManagerClient manager) implements org.idcguard.agent.drill.ClusterAccess {
        @Override
        public ClusterDetail detail(String cluster) {
            return manager.get(ApiPaths.cluster(cluster), new TypeReference<ClusterDetail>() { });
        }

        @Override
        public List<org.idcguard.model.Event> events(long afterId) {
            return List.of();
        }

        @Override
        public List<String> computersOf(String idc) {
            return List.of();
        }

        @Override
        public void restartNodeAgent(String address) {
            throw new UnsupportedOperationException();
        }
    }
}
