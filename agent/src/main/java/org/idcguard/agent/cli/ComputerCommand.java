package org.idcguard.agent.cli;

import org.idcguard.client.ApiPaths;

import com.fasterxml.jackson.core.type.TypeReference;
import java.util.List;
import java.util.concurrent.Callable;
import org.idcguard.model.Computer;
import org.idcguard.model.IdcBinding;
import org.idcguard.model.JoinCode;
import org.idcguard.model.NewComputer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "computer", description = "Lists, adds and binds computers.",
        subcommands = {ComputerCommand.ListComputers.class, ComputerCommand.Add.class, ComputerCommand.Bind.class,
                ComputerCommand.JoinCodeCommand.class})
final class ComputerCommand {

    @Command(name = "list", description = "Lists the computers with their IDC and status.")
    static final class ListComputers implements Callable<Integer> {
        @Mixin
        HomeOption homeOption;

        @Override
        public Integer call() {
            List<Computer> computers = ManagerClient.of(homeOption.home()).get(ApiPaths.COMPUTERS, new TypeReference<>() { });
            System.out.printf("%-16s %-10s %-12s %-5s %s%n", "ADDRESS", "IDC", "STATUS", "CPUS", "POSTGRESQL");
            computers.forEach(c -> System.out.printf("%-16s %-10s %-12s %-5d %s%n", c.address(),
                    c.idc() == null ? "-" : c.idc(), c.status(), c.facts().cpus(),
                    c.facts().hasPostgres() ? c.facts().postgresVersion() : "not found"));
            return 0;
        }
    }

    @Command(name = "add", description = "Registers a computer whose node agent answers.")
    static final class Add implements Callable<Integer> {
        @Mixin
        HomeOption homeOption;
        @Parameters(paramLabel = "ADDRESS")
        String address;
        @Option(names = "--endpoint", description = "Node-agent URL (default: https://ADDRESS:7481).")
        String endpoint;
        @Option(names = "--idc", description = "Bind it to this IDC at once.")
        String idc;

        @Override
        public Integer call() {
            Computer c = ManagerClient.of(homeOption.home()).post(ApiPaths.COMPUTERS, new NewComputer(address, endpoint, idc),
                    new TypeReference<>() { });
            System.out.println("Computer " + c.address() + " added" + (c.isBound() ? " to " + c.idc() : "") + ".");
            return 0;
        }
    }

    @Command(name = "bind", description = "Binds a computer to an IDC, or unbinds it.")
    static final class Bind implements Callable<Integer> {
        @Mixin
        HomeOption homeOption;
        @Parameters(paramLabel = "ADDRESS")
        String address;
        @Option(names = "--idc", description = "The IDC; leave out to unbind.")
        String idc;

        @Override
        public Integer call() {
            ManagerClient.of(homeOption.home()).put(ApiPaths.computer(address), new IdcBinding(idc), new TypeReference<Computer>() { });
            System.out.println(idc == null ? "Computer " + address + " unbound." : "Computer " + address + " bound to " + idc + ".");
            return 0;
        }
    }

    @Command(name = "join-code", description = "Prints a one-time code by which one computer enrols its node agent (valid for an hour).")
    static final class JoinCodeCommand implements Callable<Integer> {
        @Mixin
        HomeOption homeOption;
        @Option(names = "--address", description = "Bind the code to the one address it may enrol (recommended).")
        String address;

        @Override
        public Integer call() {
            ManagerClient manager = ManagerClient.of(homeOption.home());
            JoinCode code = manager.post(ApiPaths.JOIN_CODES, new JoinCode.Wanted(address), new TypeReference<>() { });
            System.out.println(code.code());
            System.err.println("On the computer, once (valid until " + java.time.Instant.ofEpochMilli(code.expiresMillis())
                    + "):\n  idcguard node --address " + (address == null ? "ADDRESS" : address) + " --manager " + manager.baseUrl() + " --join " + code.code()
                    + "\nthen here: idcguard computer add ADDRESS --idc IDC");
            return 0;
        }
    }
}
