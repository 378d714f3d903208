package org.idcguard.agent.cli;

import org.idcguard.client.ApiPaths;

import com.fasterxml.jackson.core.type.TypeReference;
import java.util.List;
import java.util.concurrent.Callable;
import org.idcguard.model.ClusterDetail;
import org.idcguard.model.ClusterRequest;
import org.idcguard.model.ClusterSummary;
import org.idcguard.model.GroupView;
import org.idcguard.model.NodeView;
import org.idcguard.model.TaskView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "cluster", description = "Creates, lists, shows and deletes IDC clusters.",
        subcommands = {ClusterCommand.Create.class, ClusterCommand.ListClusters.class, ClusterCommand.Show.class,
                ClusterCommand.Uri.class, ClusterCommand.Route.class, ClusterCommand.Haproxy.class, ClusterCommand.Clients.class, ClusterCommand.Delete.class})
final class ClusterCommand {

    @Command(name = "create", description = "Creates an intra-city IDC cluster (with --dr-idc, plus a DR city) and waits until it is ready.")
    static final class Create implements Callable<Integer> {
        @Mixin
        HomeOption homeOption;
        @Parameters(paramLabel = "NAME")
        String name;
        @Option(names = "--city", required = true)
        String city;
        @Option(names = "--primary-idc", required = true)
        String primaryIdc;
        @Option(names = "--backup-idc", required = true)
        String backupIdc;
        @Option(names = "--shards", description = "Storage shards (default 2).")
        Integer shards;
        @Option(names = "--nodes-per-idc", description = "Nodes of each group in each IDC (default 2).")
        Integer nodesPerIdc;
        @Option(names = "--computer", description = "A computer to use (repeat); default: all bound to the two IDCs.")
        List<String> computers;
        @Option(names = "--database", description = "Application database (default app).")
        String database;
        @Option(names = "--app-user", description = "Application role (default app).")
        String appUser;
        @Option(names = "--sync-policy", description = "available (default) or strict.")
        String syncPolicy;
        @Option(names = "--clients", paramLabel = "CIDR", description = "A network applications connect from, e.g. 10.77.8.0/24 "
                + "(repeat); default: none, only the cluster's computers and the managers get in.")
        List<String> clients;
        @Option(names = "--dr-idc", description = "An IDC in another city that gets asynchronous standbys of every group.")
        String drIdc;
        @Option(names = "--dr-nodes", description = "Standbys of each group in the DR IDC (default 1).")
        Integer drNodes;

        @Override
        public Integer call() throws InterruptedException {
            ManagerClient manager = ManagerClient.of(homeOption.home());
            ClusterRequest request = new ClusterRequest(name, drIdc == null ? ClusterRequest.INTRA_CITY : "cross-city", city, primaryIdc,
                    backupIdc, shards, nodesPerIdc, computers, database, appUser, syncPolicy, clients, drIdc, drNodes);
            create(manager, request);
            return 0;
        }

        static TaskView create(ManagerClient manager, ClusterRequest request) throws InterruptedException {
            System.out.println("Creating cluster " + request.name() + " ...");
            TaskView task = manager.post(ApiPaths.CLUSTERS, request, new TypeReference<TaskView>() { });
            TaskView done = TaskWaiter.await(manager, task, System.out);
            System.out.printf("%s (%.1f s)%n", done.message(), (done.finishedMillis() - done.createdMillis()) / 1000.0);
            return done;
        }
    }

    @Command(name = "list", description = "Lists the clusters.")
    static final class ListClusters implements Callable<Integer> {
        @Mixin
        HomeOption homeOption;

        @Override
        public Integer call() {
            List<ClusterSummary> all = ManagerClient.of(homeOption.home()).get(ApiPaths.CLUSTERS, new TypeReference<>() { });
            System.out.printf("%-16s %-11s %-10s %-8s %-8s %-9s %s%n", "NAME", "TYPE", "CITY", "PRIMARY", "BACKUP", "STATUS", "NODES");
            all.forEach(c -> System.out.printf("%-16s %-11s %-10s %-8s %-8s %-9s %d primary, %d standby%n", c.name(), c.kind(),
                    c.city(), c.primaryIdc(), c.backupIdc(), c.status(), c.primaryNodes(), c.standbyNodes()));
            return 0;
        }
    }

    @Command(name = "show", description = "Shows every group and node of a cluster as they are now.")
    static final class Show implements Callable<Integer> {
        @Mixin
        HomeOption homeOption;
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            ClusterDetail d = ManagerClient.of(homeOption.home()).get(ApiPaths.cluster(name), new TypeReference<>() { });
            var s = d.summary();
            System.out.printf("Cluster %s (%s, %s): primary IDC %s, backup IDC %s%s, %s; database %s, user %s, sync policy %s%n",
                    s.name(), s.kind(), s.city(), s.primaryIdc(), s.backupIdc(), s.hasDr() ? ", DR IDC " + s.drIdc() : "", s.status(),
                    d.database(), d.appUser(), d.syncPolicy());
            for (GroupView g : d.groups()) {
                System.out.printf("%n%s  sync set %s (generation %d)%n", g.name(), g.syncSet(), g.syncGeneration());
                System.out.printf("  %-26s %-6s %-16s %-8s %-8s %-8s %-8s %-9s %s%n", "NODE", "IDC", "ADDRESS", "PORT", "ROLE", "PID", "SYNC", "LAG", "DATA DIR");
                for (NodeView n : g.nodes()) {
                    System.out.printf("  %-26s %-6s %-16s %-8d %-8s %-8d %-8s %-9s %s%n", n.name(), n.idc(), n.address(), n.port(),
                            n.role(), n.pid(), n.syncState(), n.lagBytes() < 0 ? "-" : n.lagBytes() + " B", n.dataDir());
                }
            }
            System.out.println();
            System.out.println("libpq: " + d.uris().libpq());
            System.out.println("JDBC:  " + d.uris().jdbc());
            return 0;
        }
    }

    @Command(name = "clients", description = "Lists, adds or removes the networks applications connect from "
            + "(cluster clients NAME [add|remove CIDR]); every node's pg_hba follows at once.")
    static final class Clients implements Callable<Integer> {
        @Mixin
        HomeOption homeOption;
        @Parameters(index = "0", paramLabel = "NAME")
        String name;
        @Parameters(index = "1", arity = "0..1", paramLabel = "add|remove")
        String action;
        @Parameters(index = "2", arity = "0..1", paramLabel = "CIDR")
        String cidr;

        @Override
        public Integer call() {
            ManagerClient manager = ManagerClient.of(homeOption.home());
            String path = ApiPaths.cluster(name, "clients");
            List<String> now = manager.get(path, new TypeReference<java.util.Map<String, List<String>>>() { }).get("clients");
            if (action == null) {
                System.out.println(now.isEmpty() ? "No client network: only the cluster's computers and the managers get in."
                        : String.join("\n", now));
                return 0;
            }
            if (cidr == null || !List.of("add", "remove").contains(action)) {
                throw new CliFailure("Write cluster clients NAME add CIDR or cluster clients NAME remove CIDR.", 2);
            }
            List<String> wanted = new java.util.ArrayList<>(now);
            if (action.equals("add")) {
                wanted.add(cidr);
            } else {
                String normalised;
                try {
                    normalised = org.idcguard.model.ClientNetworks.check(List.of(cidr)).get(0);
                } catch (org.idcguard.model.InvalidInput e) {
                    throw new CliFailure(e.getMessage(), 2);
                }
                if (!wanted.remove(normalised)) {
                    throw new CliFailure(normalised + " is not a client network of " + name + ".");
                }
            }
            java.util.Map<String, List<String>> answer = manager.put(path, java.util.Map.of("clients", wanted),
                    new TypeReference<java.util.Map<String, List<String>>>() { });
            System.out.println("Client networks of " + name + ": " + (answer.get("clients").isEmpty() ? "none"
                    : String.join(", ", answer.get("clients"))) + ".");
            if (!answer.get("notReached").isEmpty()) {
                System.out.println("Not reached now (they get them when they rejoin): " + String.join(", ", answer.get("notReached")) + ".");
            }
            return 0;
        }
    }

    @Command(name = "uri", description = "Prints the coordinator's multi-host libpq and JDBC URIs.")
    static final class Uri implements Callable<Integer> {
        @Mixin
        HomeOption homeOption;
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            ClusterDetail d = ManagerClient.of(homeOption.home()).get(ApiPaths.cluster(name), new TypeReference<>() { });
            System.out.println(d.uris().libpq());
            System.out.println(d.uris().jdbc());
            return 0;
        }
    }

    @Command(name = "route", description = "Writes the HAProxy route of a cluster for an application host: haproxy.cfg, "
            + "router.pem (its health checks' certificate, a secret) and ca.crt into DIR; prints the URI through it.")
    static final class Route implements Callable<Integer> {
        @Mixin
        HomeOption homeOption;
        @Parameters(paramLabel = "NAME")
        String name;
        @picocli.CommandLine.Option(names = "--bind", required = true, paramLabel = "ADDRESS:PORT",
                description = "Where HAProxy listens on the application host, e.g. 10.77.8.1:5432.")
        String bind;
        @picocli.CommandLine.Option(names = "--dir", required = true, paramLabel = "DIR", description = "Where the files go.")
        java.nio.file.Path dir;

        @Override
        public Integer call() {
            org.idcguard.model.RouteConfig route = fetch(homeOption, name, bind);
            writeRoute(route, dir);
            System.out.println(route.uri());
            System.err.println("On the application host, from " + dir + ": haproxy -f haproxy.cfg");
            return 0;
        }

        /** The route's files as HAProxy reads them in its folder; the router's key readable by the owner only. */
        static void writeRoute(org.idcguard.model.RouteConfig route, java.nio.file.Path dir) {
            org.idcguard.agent.home.AtomicFiles.write(dir.resolve("haproxy.cfg"), route.haproxyConfig(), "rw-r--r--");
            writeCertificates(route, dir);
        }

        /** The files the configuration names beside it: the CA to check node agents by, the router's key (owner only). */
        static void writeCertificates(org.idcguard.model.RouteConfig route, java.nio.file.Path dir) {
            org.idcguard.agent.home.AtomicFiles.write(dir.resolve("ca.crt"), route.caCertificate(), "rw-r--r--");
            org.idcguard.agent.home.AtomicFiles.write(dir.resolve("router.pem"), route.routerPem(), "rw-------");
        }

        /** The cluster's route for HAProxy listening on bind, with a fresh router certificate. */
        static org.idcguard.model.RouteConfig fetch(HomeOption homeOption, String name, String bind) {
            return ManagerClient.of(homeOption.home()).get(ApiPaths.query(ApiPaths.cluster(name, "route"), "bind", bind),
                    new TypeReference<>() { });
        }
    }

    @Command(name = "haproxy", description = "Prints a ready haproxy.cfg for a cluster (read-write on --bind, read-only on the "
            + "next port, Patroni-style checks on each instance's health port) and writes the router.pem and ca.crt it names "
            + "into --dir.")
    static final class Haproxy implements Callable<Integer> {
        @Mixin
        HomeOption homeOption;
        @Parameters(paramLabel = "NAME")
        String name;
        @picocli.CommandLine.Option(names = "--bind", paramLabel = "ADDRESS:PORT", defaultValue = "127.0.0.1:5000",
                description = "Where HAProxy listens for writes (default ${DEFAULT-VALUE}); reads go to the next port.")
        String bind;
        @picocli.CommandLine.Option(names = "--dir", paramLabel = "DIR", defaultValue = ".",
                description = "Where router.pem (a secret, 0600) and ca.crt go (default: the current folder).")
        java.nio.file.Path dir;

        @Override
        public Integer call() {
            org.idcguard.model.RouteConfig route = Route.fetch(homeOption, name, bind);
            Route.writeCertificates(route, dir);
            System.out.print(route.haproxyConfig());
            System.err.println("router.pem and ca.crt were written to " + dir.toAbsolutePath().normalize()
                    + "; save the configuration beside them and run haproxy -f haproxy.cfg there.");
            return 0;
        }
    }

    @Command(name = "delete", description = "Stops every node of a cluster and removes its data.")
    static final class Delete implements Callable<Integer> {
        @Mixin
        HomeOption homeOption;
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() throws InterruptedException {
            ManagerClient manager = ManagerClient.of(homeOption.home());
            TaskView task = manager.delete(ApiPaths.cluster(name), new TypeReference<TaskView>() { });
            System.out.println(TaskWaiter.await(manager, task, System.out).message());
            return 0;
        }
    }
}
