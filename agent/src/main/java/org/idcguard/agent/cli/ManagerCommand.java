package org.idcguard.agent.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import org.idcguard.agent.home.AgentHome;
import org.idcguard.agent.manager.ManagerAddresses;
import org.idcguard.agent.manager.ManagerServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "manager", mixinStandardHelpOptions = true, description = "Runs the manager headless until stopped.")
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

    @Override
    public Integer call() throws InterruptedException {
        AgentHome home = homeOption.home();
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
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "manager-shutdown"));
        System.out.println("Manager listening at " + server.url() + " (home " + home.root() + ").");
        stopped.await();
        return 0;
    }
}
