package org.idcguard.agent.cli;

import org.idcguard.client.ApiPaths;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.idcguard.agent.home.AgentHome;
import org.idcguard.agent.home.AtomicFiles;
import org.idcguard.agent.lab.LabHost;
import org.idcguard.agent.lab.LabNetwork;
import org.idcguard.agent.manager.NodeAgentClient;
import org.idcguard.agent.node.NodeAgentServer;
import org.idcguard.model.Computer;
import org.idcguard.model.Idc;
import org.idcguard.model.JoinCode;
import org.idcguard.model.NewComputer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code lab up|down|fault|restore}: an estate of separate hosts on one machine, built from network namespaces, on which
 * a DBA rehearses and the tests run. Every host has its own home, as a real host would; the manager enrols every
 * computer with a join code. The home given with --home is the workstation's: it gets the manager's URL, token and
 * CA certificate, so every other command works against the lab from here.
 */
@Command(name = "lab", description = "A network-namespace estate on this machine (root): two IDCs of two computers in "
        + "Shenzhen, a DR IDC of one computer in Guangzhou, a manager site, an application host outside and one inside Shenzhen.",
        subcommands = {LabCommand.Up.class, LabCommand.Down.class, LabCommand.Fault.class, LabCommand.Restore.class,
                LabBenchCommand.class})
final class LabCommand {
    static final String PROVINCE = "Guangdong";
    private static final long READY_MILLIS = 90_000;

    private static Path hostHome(AgentHome home, LabHost host) {
        return home.root().resolve("lab").resolve(host.name());
    }

    private static String logName(LabHost host) {
        return "lab-" + host.name();
    }

    private static void requireRoot() {
        LabNetwork.whyNot().ifPresent(why -> {
            throw new CliFailure(why);
        });
    }

    @Command(name = "up", description = "Builds the lab, starts the manager and enrols the five computers (IDC1, IDC2 in Shenzhen, "
            + "IDC3 in Guangzhou).")
    static final class Up implements Callable<Integer> {
        @Mixin
        HomeOption homeOption;

        @Override
        public Integer call() throws Exception {
            requireRoot();
            AgentHome home = homeOption.home().create();
            if (LabNetwork.isUp()) {
                throw new CliFailure("A lab is already up on this machine: 'idcguard lab down' first.");
            }
            if (ManagerClient.answering(home).isPresent()) {
                throw new CliFailure("A manager already answers for " + home.root() + ": the lab needs a home of its own.");
            }
            LocalProcesses processes = new LocalProcesses(home);
            try {
                LabNetwork.build();
                startManager(home, processes);
                ManagerClient manager = ManagerClient.of(home);
                for (String idc : LabNetwork.idcs()) {
                    manager.post(ApiPaths.IDCS, new Idc(idc, PROVINCE, LabNetwork.cityOf(idc)), new TypeReference<Idc>() { });
                }
                for (LabHost computer : LabNetwork.computers()) {
                    enrol(home, processes, manager, computer);
                }
            } catch (RuntimeException | InterruptedException e) {
                tearDown(home, processes);
                throw e instanceof CliFailure f ? f : new CliFailure("The lab did not come up: " + e.getMessage());
            }
            LabHost app = LabNetwork.application();
            LabHost cityApp = LabNetwork.cityApplication();
            System.out.println("Lab up: manager " + ManagerClient.of(home).baseUrl() + " on " + LabNetwork.manager().address()
                    + "; IDC1 " + addresses("IDC1") + ", IDC2 " + addresses("IDC2") + " in " + LabNetwork.MAIN_CITY + "; IDC3 "
                    + addresses("IDC3") + " in " + LabNetwork.DR_CITY + "; application host " + app.address() + " (ip netns exec "
                    + app.namespace() + " ...) and one inside " + cityApp.city() + ", " + cityApp.address() + " (ip netns exec "
                    + cityApp.namespace() + " ...). Every command works with --home " + home.root() + ".");
            return 0;
        }

        private static String addresses(String idc) {
            return String.join(", ", LabNetwork.computersOf(idc).stream().map(LabHost::address).toList());
        }

        private static void startManager(AgentHome home, LocalProcesses processes) throws InterruptedException {
            LabHost site = LabNetwork.manager();
            Path managerHome = hostHome(home, site);
            processes.start(logName(site), LabNetwork.inside(site, List.of()), "manager", "--home", managerHome.toString(),
                    "--listen", "0.0.0.0", "--advertise", site.address());
            Path url = managerHome.resolve("manager.url");
            waitFor(() -> Files.exists(url), processes, site, "the manager");
            // the workstation's home: how this machine's console and commands reach the manager
            copy(url, home.managerUrlFile(), "rw-r--r--");
            copy(managerHome.resolve("manager.token"), home.tokenFile(), "rw-------");
            copy(new AgentHome(managerHome).caCertificateFile(), home.caCertificateFile(), "rw-r--r--");
            waitFor(() -> ManagerClient.answering(home).isPresent(), processes, site, "the manager");
        }

        private static void enrol(AgentHome home, LocalProcesses processes, ManagerClient manager, LabHost computer)
                throws InterruptedException {
            JoinCode code = manager.post(ApiPaths.JOIN_CODES, Map.of(), new TypeReference<>() { });
            processes.start(logName(computer), LabNetwork.inside(computer, List.of()), "node", "--address", computer.address(),
                    "--home", hostHome(home, computer).toString(), "--manager", manager.baseUrl(), "--join", code.code(),
                    "--allow-drills");
            waitFor(() -> {
                try {
                    manager.post(ApiPaths.COMPUTERS, new NewComputer(computer.address(), null, computer.idc()),
                            new TypeReference<Computer>() { });
                    return true;
                } catch (CliFailure notYet) {
                    return false;
                }
            }, processes, computer, "the node agent of " + computer.address());
        }

        private static void waitFor(java.util.function.BooleanSupplier ready, LocalProcesses processes, LabHost host,
                                    String what) throws InterruptedException {
            long deadline = System.currentTimeMillis() + READY_MILLIS;
            while (!ready.getAsBoolean()) {
                if (!processes.isRunning(logName(host))) {
                    throw new CliFailure(what + " stopped at once: " + processes.lastLogLine(logName(host)).replaceFirst("^idcguard: ", ""));
                }
                if (System.currentTimeMillis() > deadline) {
                    throw new CliFailure(what + " did not come up within " + READY_MILLIS / 1000 + " s.");
                }
                Thread.sleep(200);
            }
        }
    }

    @Command(name = "down", description = "Stops every process of the lab by PID, removes its namespaces, bridge, rules and data.")
    static final class Down implements Callable<Integer> {
        @Mixin
        HomeOption homeOption;

        @Override
        public Integer call() {
            requireRoot();
            AgentHome home = homeOption.home();
            int stopped = tearDown(home, new LocalProcesses(home));
            System.out.println("Lab down: " + stopped + " process(es) stopped; namespaces, bridge and data removed.");
            return 0;
        }
    }

    @Command(name = "fault", description = "power-off IDC (every process of its hosts SIGKILLed, their network dark), "
            + "blackhole IDC (its hosts drop every packet), cut-manager IDC (only the manager's path to it is dropped), "
            + "cut-city CITY (every host of the city, computers and application host, drops every packet to and from the lab "
            + "outside the city: the manager's site, the other city, the outside application host, the workstation; the city's "
            + "hosts still talk to each other).")
    static final class Fault implements Callable<Integer> {
        private static final List<String> KINDS = List.of("power-off", "blackhole", "cut-manager", "cut-city");
        @Mixin
        HomeOption homeOption;
        @Parameters(index = "0", paramLabel = "KIND", description = "power-off, blackhole, cut-manager or cut-city")
        String kind;
        @Parameters(index = "1", paramLabel = "IDC|CITY", description = "an IDC (IDC1, IDC2, IDC3), or for cut-city a city (Shenzhen)")
        String target;

        @Override
        public Integer call() {
            requireRoot();
            if (!KINDS.contains(kind)) {
                throw new CliFailure("The lab's faults are power-off, blackhole, cut-manager and cut-city, not '" + kind + "'.", 2);
            }
            if (!LabNetwork.isUp()) {
                throw new CliFailure("No lab is up on this machine: 'idcguard lab up' first.");
            }
            List<LabHost> hosts;
            try {
                hosts = kind.equals("cut-city") ? LabNetwork.hostsOf(target) : LabNetwork.computersOf(target);
            } catch (IllegalArgumentException e) {
                throw new CliFailure(e.getMessage(), 2);
            }
            switch (kind) {
                case "power-off" -> LabNetwork.darken(hosts, true);
                case "blackhole" -> LabNetwork.darken(hosts, false);
                case "cut-manager" -> LabNetwork.cut(LabNetwork.manager(), hosts.stream().map(LabHost::address).toList());
                default -> LabNetwork.cutCity(target);
            }
            System.out.println("Lab fault " + kind + " applied to " + target + " at " + System.currentTimeMillis() + ".");
            return 0;
        }
    }

    @Command(name = "restore", description = "Removes every fault and starts the node agents a power-off stopped "
            + "(they start no PostgreSQL by themselves: the manager rejoins it).")
    static final class Restore implements Callable<Integer> {
        @Mixin
        HomeOption homeOption;

        @Override
        public Integer call() {
            requireRoot();
            int restarted = restore(homeOption.home());
            System.out.println("Lab restored: faults removed, " + restarted + " node agent(s) started again.");
            return 0;
        }
    }

    /** Removes every fault and starts the node agents that are not running; returns how many were started. */
    static int restore(AgentHome home) {
        LabNetwork.HOSTS.forEach(LabNetwork::heal);
        LocalProcesses processes = new LocalProcesses(home);
        int restarted = 0;
        for (LabHost computer : LabNetwork.computers()) {
            if (!processes.isRunning(logName(computer))) {
                processes.start(logName(computer), LabNetwork.inside(computer, List.of()), "node", "--address",
                        computer.address(), "--home", hostHome(home, computer).toString(), "--allow-drills");
                restarted++;
            }
        }
        return restarted;
    }

    /** Stops PostgreSQL through the agents, every process by PID, then removes the network and the hosts' homes. */
    private static int tearDown(AgentHome home, LocalProcesses processes) {
        LabNetwork.HOSTS.forEach(LabNetwork::heal);
        NodeAgentClient.ofManagerHome(new AgentHome(hostHome(home, LabNetwork.manager()))).ifPresent(agents -> {
            for (LabHost computer : LabNetwork.computers()) {
                try {
                    agents.stopAll(NewComputer.defaultEndpoint(computer.address()));
                } catch (RuntimeException notAnswering) {
                    // its processes are killed with its namespace below
                }
            }
        });
        int stopped = processes.stopAll();
        LabNetwork.tearDown();
        for (LabHost computer : LabNetwork.computers()) {
            Path instances = NodeAgentServer.instancesRootPath(new AgentHome(hostHome(home, computer)), computer.address());
            delete(instances);
            if (!instances.startsWith(home.root())) {
                try {
                    Files.deleteIfExists(instances.getParent()); // the home's folder under /var/lib/idcguard, once empty
                } catch (IOException stillHoldsOthers) {
                    // another address of the same home is still there
                }
            }
        }
        delete(home.root().resolve("lab"));
        for (Path p : List.of(home.managerUrlFile(), home.tokenFile(), home.caCertificateFile())) {
            delete(p);
        }
        return stopped;
    }

    private static void copy(Path from, Path to, String mode) {
        try {
            AtomicFiles.write(to, Files.readAllBytes(from), mode);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot copy " + from + " to " + to + ": " + e.getMessage(), e);
        }
    }

    private static void delete(Path path) {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> all = Files.walk(path)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot remove " + path + ": " + e.getMessage(), e);
        }
    }
}
