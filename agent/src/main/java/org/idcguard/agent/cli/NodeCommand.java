package org.idcguard.agent.cli;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.idcguard.agent.node.NodeAgentServer;
import org.idcguard.model.Addresses;
import org.idcguard.model.InvalidInput;
import org.idcguard.model.JoinCode;
import org.idcguard.model.NewComputer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "node", description = "Runs the node agent of the computer at an address until stopped.")
final class NodeCommand implements Callable<Integer> {
    @Mixin
    HomeOption homeOption;

    @Option(names = "--address", required = true, description = "The computer's address; the agent listens on it.")
    String address;

    @Option(names = "--port", defaultValue = "" + NewComputer.DEFAULT_AGENT_PORT, description = "Port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--manager", description = "The manager's URL, to enrol with (once, with --join).")
    String manager;

    @Option(names = "--join", description = "A one-time join code from 'idcguard computer join-code' run where the manager is.")
    String join;

    @Option(names = "--allow-drills", description = "Lets the manager apply drill faults (power-off, freeze, partition) "
            + "to this computer; always allowed on a loopback address (the local default).")
    boolean allowDrills;

    @Override
    public Integer call() throws InterruptedException {
        try {
            Addresses.checkAddress("address", address);
            if ((manager == null) != (join == null)) {
                throw new InvalidInput("join", "Enrolment needs both --manager URL and --join CODE.");
            }
            if (join != null) {
                JoinCode.parse(join);
            }
        } catch (InvalidInput e) {
            throw new CliFailure(e.getMessage(), 2);
        }
        NodeAgentServer server;
        try {
            server = NodeAgentServer.start(homeOption.home(), address, port, manager, join, allowDrills);
        } catch (IllegalStateException e) {
            throw new CliFailure(e.getMessage());
        }
        if (join != null) {
            System.out.println("Enrolled with the manager at " + manager + ".");
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "node-shutdown"));
        System.out.println("Node agent of " + address + " listening on port " + server.port() + ".");
        stopped.await();
        return 0;
    }
}
