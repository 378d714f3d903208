package org.idcguard.agent.cli;

import org.idcguard.client.ApiPaths;

import com.fasterxml.jackson.core.type.TypeReference;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.idcguard.agent.home.AgentHome;
import org.idcguard.model.Computer;
import org.idcguard.model.Idc;
import org.idcguard.model.IdcBinding;
import org.idcguard.model.NewComputer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The embedded default: a manager and one node agent per local computer (addresses in 127.0.0.0/8),
 * with IDC1 and IDC2 of Guangdong / Shenzhen and IDC3 of Guangdong / Guangzhou (the DR city) added and the computers bound.
 */
@Command(name = "demo", description = "Starts or stops the local demo: manager plus node agents of the local computers.",
        subcommands = {DemoCommand.Up.class, DemoCommand.Down.class})
final class DemoCommand {
    /** Local computer address to the demo IDC it is bound to. */
    static final Map<String, String> LOCAL_COMPUTERS = localComputers();
    static final List<Idc> DEMO_IDCS = List.of(new Idc("IDC1", "Guangdong", "Shenzhen"), new Idc("IDC2", "Guangdong", "Shenzhen"),
            new Idc("IDC3", "Guangdong", "Guangzhou"));
    private static final long READY_TIMEOUT_MILLIS = 60_000;

    private static Map<String, String> localComputers() {
        Map<String, String> computers = new java.util.LinkedHashMap<>();
        computers.put("127.0.1.1", "IDC1");
        computers.put("127.0.1.2", "IDC1");
        computers.put("127.0.2.1", "IDC2");
        computers.put("127.0.2.2", "IDC2");
        // the DR city (127.0.3.x is the demo quorum's third site)
        computers.put("127.0.4.1", "IDC3");
        computers.put("127.0.4.2", "IDC3");
        return computers;
    }

    @Command(name = "up", description = "Starts what is not running, adds IDC1 and IDC2 (Shenzhen) and IDC3 (Guangzhou, the DR city) and binds the computers.")
    static final class Up implements Callable<Integer> {
        @Mixin
        HomeOption homeOption;

        @Option(names = "--cluster", paramLabel = "NAME", description = "Also create a cluster of this name on IDC1 and IDC2, with its DR standbys in IDC3.")
        String cluster;

        @Option(names = "--managers", defaultValue = "1", description = "1 (the default: one manager) or 3: a quorum of managers "
                + "on ZooKeeper, one in IDC1 (127.0.1.9), one in IDC2 (127.0.2.9) and one at a third site (127.0.3.9).")
        int managers;

        @Option(names = "--computers-only", description = "Register the local computers unbound and add no IDCs (the console's first start).")
        boolean computersOnly;

        @Override
        public Integer call() throws InterruptedException {
            AgentHome home = homeOption.home().create();
            LocalProcesses processes = new LocalProcesses(home);
            Map<String, Process> started = new java.util.LinkedHashMap<>();
            if (managers != 1 && managers != 3) {
                throw new CliFailure("The demo runs 1 manager or a quorum of 3, not " + managers + ".", 2);
            }
            if (ManagerClient.answering(home).isEmpty()) {
                if (managers == 3) {
                    DemoQuorum.start(home, processes, started);
                } else {
                    started.put("manager", processes.start("manager", "manager", "--home", home.root().toString()));
                }
            }
            for (String address : LOCAL_COMPUTERS.keySet()) {
                if (!nodeAnswers(home, address)) {
                    started.put("node-" + address, processes.start("node-" + address, "node", "--address", address,
                            "--home", home.root().toString()));
                }
            }
            awaitReady(home, processes, started);
            ManagerClient manager = ManagerClient.of(home);
            if (!computersOnly) {
                addMissingIdcs(manager);
            }
            registerComputers(manager);
            awaitReachable(manager);
            // Stopped instances of existing clusters are started by the manager's HA loop, primaries first.
            if (cluster != null && !computersOnly) {
                boolean exists = manager.get(ApiPaths.CLUSTERS, new TypeReference<List<org.idcguard.model.ClusterSummary>>() { })
                        .stream().anyMatch(c -> c.name().equalsIgnoreCase(cluster));
                if (!exists) {
                    ClusterCommand.Create.create(manager, defaultCluster(cluster));
                }
            }
            System.out.println("Demo up: manager " + home.managerUrl().orElse("?") + ", computers "
                    + String.join(", ", LOCAL_COMPUTERS.keySet()) + (computersOnly ? " (unbound)." : " in IDC1, IDC2 (Shenzhen) and IDC3 (Guangzhou)."));
            return 0;
        }

        /** A freshly started node agent may not have been probed yet; clusters are placed on reachable computers only. */
        private static void awaitReachable(ManagerClient manager) throws InterruptedException {
            long deadline = System.currentTimeMillis() + READY_TIMEOUT_MILLIS;
            while (manager.get(ApiPaths.COMPUTERS, new TypeReference<List<Computer>>() { }).stream()
                    .filter(c -> LOCAL_COMPUTERS.containsKey(c.address()))
                    .anyMatch(c -> c.status() != org.idcguard.model.ComputerStatus.REACHABLE)) {
                if (System.currentTimeMillis() > deadline) {
                    throw new CliFailure("The local computers did not all become reachable within " + READY_TIMEOUT_MILLIS / 1000 + " s.");
                }
                Thread.sleep(200);
            }
        }

        private void addMissingIdcs(ManagerClient manager) {
            var existing = manager.get(ApiPaths.IDCS, new TypeReference<List<Idc>>() { }).stream().map(Idc::name)
                    .collect(Collectors.toSet());
            DEMO_IDCS.stream().filter(idc -> !existing.contains(idc.name()))
                    .forEach(idc -> manager.post(ApiPaths.IDCS, idc, new TypeReference<Idc>() { }));
        }

        private void registerComputers(ManagerClient manager) {
            Map<String, Computer> known = manager.get(ApiPaths.COMPUTERS, new TypeReference<List<Computer>>() { }).stream()
                    .collect(Collectors.toMap(Computer::address, Function.identity()));
            LOCAL_COMPUTERS.forEach((address, idc) -> {
                String wanted = computersOnly ? null : idc;
                Computer computer = known.get(address);
                if (computer == null) {
                    manager.post(ApiPaths.COMPUTERS, new NewComputer(address, null, wanted), new TypeReference<Computer>() { });
                } else if (wanted != null && computer.idc() == null) {
                    manager.put(ApiPaths.computer(address), new IdcBinding(wanted), new TypeReference<Computer>() { });
                }
            });
        }

        private static void awaitReady(AgentHome home, LocalProcesses processes, Map<String, Process> started)
                throws InterruptedException {
            long deadline = System.currentTimeMillis() + READY_TIMEOUT_MILLIS;
            while (ManagerClient.answering(home).isEmpty()
                    || !LOCAL_COMPUTERS.keySet().stream().allMatch(a -> nodeAnswers(home, a))) {
                for (var entry : started.entrySet()) {
                    if (!entry.getValue().isAlive()) {
                        processes.stopAll();
                        throw new CliFailure("The demo's " + entry.getKey() + " stopped at once: "
                                + processes.lastLogLine(entry.getKey()).replaceFirst("^idcguard: ", ""));
                    }
                }
                if (System.currentTimeMillis() > deadline) {
                    throw new CliFailure("The demo did not come up within " + READY_TIMEOUT_MILLIS / 1000
                            + " s: see the logs in " + home.logsDir() + ".");
                }
                Thread.sleep(200);
            }
        }

        private static boolean nodeAnswers(AgentHome home, String address) {
            return org.idcguard.agent.manager.NodeAgentClient.ofManagerHome(home)
                    .map(agents -> agents.answers(NewComputer.defaultEndpoint(address))).orElse(false);
        }
    }

    /** Asks each local computer's node agent to stop its PostgreSQL instances (fast shutdown) before the agents go. */
    private static void stopInstances(AgentHome home) {
        var client = org.idcguard.agent.manager.NodeAgentClient.ofManagerHome(home);
        if (client.isEmpty()) {
            return; // no manager ever ran here, so no agent holds instances for it
        }
        var agents = client.get();
        for (String address : LOCAL_COMPUTERS.keySet()) {
            try {
                agents.stopAll(NewComputer.defaultEndpoint(address));
            } catch (RuntimeException notAnswering) {
                // an agent that is not running has nothing to stop for us
            }
        }
    }

    /** The default demo cluster: coordinator and 2 shards, 2 nodes per group in each of IDC1 and IDC2, 1 in IDC3 (DR). */
    static org.idcguard.model.ClusterRequest defaultCluster(String name) {
        return new org.idcguard.model.ClusterRequest(name, "cross-city", "Shenzhen", "IDC1", "IDC2", null, null, null, null, null, null,
                List.of(), "IDC3", null);
    }

    @Command(name = "down", description = "Stops every process the demo started.")
    static final class Down implements Callable<Integer> {
        @Mixin
        HomeOption homeOption;

        @Override
        public Integer call() {
            AgentHome home = homeOption.home();
            LocalProcesses processes = new LocalProcesses(home);
            // The managers go first: their HA loop would start again what the node agents are stopping.
            int stopped = processes.stop("manager");
            for (String name : DemoQuorum.LOG_NAMES) {
                stopped += processes.stop(name);
            }
            stopInstances(home);
            stopped += processes.stopAll();
            for (String address : LOCAL_COMPUTERS.keySet()) {
                stopped += LeftoverServers.stop(org.idcguard.agent.node.NodeAgentServer.instancesRootPath(home, address));
            }
            System.out.println("Demo down: " + stopped + " process" + (stopped == 1 ? "" : "es") + " stopped.");
            return 0;
        }
    }
}
