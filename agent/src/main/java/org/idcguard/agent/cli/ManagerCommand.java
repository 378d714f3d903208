package org.idcguard.agent.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import org.idcguard.agent.home.AgentHome;
import org.idcguard.agent.manager.ManagerServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "manager", description = "Runs the manager headless until stopped.")
final class ManagerCommand implements Callable<Integer> {
    @Mixin
    HomeOption homeOption;

    @Option(names = "--listen", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String listen;

    @Option(names = "--port", defaultValue = "7480", description = "Port to listen on, 0 for any free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Override
    public Integer call() throws InterruptedException {
        AgentHome home = homeOption.home();
        ManagerClient.answering(home).ifPresent(url -> {
            throw new CliFailure("A manager already runs for " + home.root() + " at " + url + ".");
        });
        LocalProcesses processes = new LocalProcesses(home);
        ManagerServer server = ManagerServer.start(home, listen, port,
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
