package org.idcguard.agent.cli;

import org.idcguard.client.ApiPaths;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import org.idcguard.agent.home.AgentHome;
import org.idcguard.agent.manager.ManagerAddresses;
import org.idcguard.agent.manager.server.ManagerServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "manager", mixinStandardHelpOptions = true, description = "Runs the manager headless until stopped.",
        subcommands = {ManagerCommand.ListManagers.class, ReformCommand.class})
final class ManagerCommand implements Callable<Integer> {
    @Mixin
    HomeOption homeOption;

    @Option(names = "--listen", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String listen;

    @Option(names = "--advertise", description = "The address others reach the manager by, when it is not the listen "
            + "address (0.0.0.0, NAT); its URL, certificate and every pg_hba name it.")
    String advertise;

    @Option(names = "--port", defaultValue = "7480", description = "Port to listen on, 0 for any free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--member", description = "This manager's id in a quorum of managers (with --quorum or --zookeeper).")
    Integer member;

    @Option(names = "--quorum", description = "Every member of the quorum, each id=host:clientPort:peerPort:electionPort, "
            + "comma-separated, the same list on every member; each member runs its ZooKeeper peer in its own process.")
    String quorum;

    @Option(names = "--zookeeper", description = "An external ZooKeeper ensemble (host:port,...) instead of embedded peers.")
    String zookeeper;

    @Option(names = "--idc", description = "The IDC or site this manager runs in, as the console and `manager list` show it.")
    String idc;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        AgentHome home = homeOption.home();
        if (member != null || quorum != null || zookeeper != null) {
            return member();
        }
        ManagerClient.answering(home).ifPresent(url -> {
            throw new CliFailure("A manager already runs for " + home.root() + " at " + url + ".");
        });
        LocalProcesses processes = new LocalProcesses(home);
        try {
            org.idcguard.model.Addresses.checkAddress("listen", listen);
            if (advertise != null) {
                org.idcguard.model.Addresses.checkAddress("advertise", advertise);
            }
        } catch (org.idcguard.model.InvalidInput e) {
            throw new CliFailure(e.getMessage(), 2);
        }
        ManagerServer server = ManagerServer.start(home, new ManagerAddresses(listen, advertise), port,
                address -> processes.start("node-" + address, "node", "--address", address, "--home", home.root().toString()));
        return runUntilStopped(server, "Manager listening at " + server.url() + " (home " + home.root() + ").");
    }

    /** Serves until the process is told to stop, then closes the manager. */
    private static int runUntilStopped(ManagerServer server, String started) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "manager-shutdown"));
        System.out.println(started);
        stopped.await();
        return 0;
    }

    /** A member of a quorum: the supervisor, or (in its child) the manager itself. */
    private int member() throws InterruptedException {
        if (member == null || (quorum == null) == (zookeeper == null)) {
            throw new CliFailure("A manager of a quorum needs --member and one of --quorum or --zookeeper.", 2);
        }
        java.util.List<org.idcguard.agent.manager.quorum.QuorumMember> members;
        try {
            members = quorum == null ? java.util.List.of() : org.idcguard.agent.manager.quorum.QuorumMember.parseAll(quorum);
            org.idcguard.model.Addresses.checkAddress("listen", listen);
        } catch (org.idcguard.model.InvalidInput e) {
            throw new CliFailure(e.getMessage(), 2);
        }
        if (quorum != null && members.stream().noneMatch(m -> m.id() == member)) {
            throw new CliFailure("Member " + member + " is not in the quorum list.", 2);
        }
        if (!ManagerSupervisor.isChild()) {
            return new ManagerSupervisor().run(spec.commandLine().getParseResult().originalArgs());
        }
        ManagerSupervisor.endWithSupervisor();
        AgentHome home = homeOption.home();
        LocalProcesses processes = new LocalProcesses(home);
        // how this member was started, for `manager reform` on this host: the old list, and whom to stop and restart
        MemberProcess.write(home, member, spec.commandLine().getParseResult().originalArgs());
        ManagerServer server;
        try {
            server = ManagerServer.startMember(home, new ManagerAddresses(listen, advertise), port,
                    address -> processes.start("node-" + address, "node", "--address", address, "--home", home.root().toString()),
                    new org.idcguard.agent.manager.quorum.QuorumOptions(member, members, zookeeper, idc));
        } catch (org.idcguard.agent.manager.quorum.Ensemble.Superseded e) {
            throw new CliFailure(e.getMessage(), org.idcguard.agent.manager.quorum.ManagerQuorum.EXIT_SUPERSEDED);
        }
        return runUntilStopped(server, "Manager " + member + " listening at " + server.url() + " (home " + home.root() + ").");
    }

    @Command(name = "list", description = "Each manager: id, role (leader / follower / down), IDC, URL, pid, its ZooKeeper "
            + "peer's state and how far its copy has applied the managers' log.")
    static final class ListManagers implements Callable<Integer> {
        @Mixin
        HomeOption homeOption;

        @Override
        public Integer call() {
            AgentHome home = homeOption.home();
            java.util.List<org.idcguard.model.ManagerInfo> managers = null;
            for (String url : home.layout().managerCandidates()) {
                try {
                    managers = ManagerClient.at(home, url).get(ApiPaths.MANAGERS,
                            new com.fasterxml.jackson.core.type.TypeReference<java.util.List<org.idcguard.model.ManagerInfo>>() { });
                    break;
                } catch (CliFailure notThere) {
                    // the next one
                }
            }
            if (managers == null) {
                throw new CliFailure("No manager answers for " + home.root() + ".");
            }
            System.out.printf("%-3s %-9s %-10s %-28s %-8s %-10s %s%n", "ID", "ROLE", "IDC", "URL", "PID", "ZOOKEEPER", "APPLIED");
            for (var m : managers) {
                System.out.printf("%-3d %-9s %-10s %-28s %-8s %-10s %d%n", m.id(), m.role(), m.idc().isEmpty() ? "-" : m.idc(),
                        m.url().isEmpty() ? "-" : m.url(), m.pid() == 0 ? "-" : Long.toString(m.pid()), m.zookeeper(), m.applied());
            }
            boolean quorum = managers.stream().filter(m -> !m.role().equals("down")).count() * 2 > managers.size();
            boolean led = managers.stream().anyMatch(m -> m.role().equals("leader"));
            System.out.println(led && quorum ? "The quorum is healthy: " + managers.stream().filter(m -> !m.role().equals("down")).count()
                    + " of " + managers.size() + " managers up." : "The quorum has no leader now.");
            return led ? 0 : 1;
        }
    }
}
