package org.idcguard.agent.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import org.idcguard.client.ApiPaths;
import org.idcguard.model.NewOperator;
import org.idcguard.model.OperatorCode;
import org.idcguard.model.OperatorInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Named operators, for an admin: add one (with a one-time code), list them, remove one (their sessions end). */
@Command(name = "operator", description = "Adds, lists and removes named operators (admin only).",
        subcommands = {OperatorCommand.Add.class, OperatorCommand.ListOperators.class, OperatorCommand.Remove.class})
final class OperatorCommand {

    @Command(name = "add", description = "Adds an operator with a role; prints their one-time code (valid 24 h), which they "
            + "turn into a password of their own with './idcguard login NAME --code CODE' on their workstation.")
    static final class Add implements Callable<Integer> {
        @Mixin
        HomeOption homeOption;
        @Parameters(paramLabel = "NAME")
        String name;
        @Option(names = "--role", required = true, description = "viewer, operator or admin.")
        String role;

        @Override
        public Integer call() {
            OperatorCode code = ManagerClient.of(homeOption.home()).post(ApiPaths.OPERATORS, new NewOperator(name, role),
                    new TypeReference<>() { });
            System.out.println("Operator " + code.name() + " added as " + code.role() + ".");
            System.out.println("One-time code (give it to " + code.name() + " alone; it works once, until "
                    + Instant.ofEpochMilli(code.expiresMillis()) + "):");
            System.out.println(code.code());
            return 0;
        }
    }

    @Command(name = "list", description = "Lists the operators with their roles.")
    static final class ListOperators implements Callable<Integer> {
        @Mixin
        HomeOption homeOption;

        @Override
        public Integer call() {
            List<OperatorInfo> all = ManagerClient.of(homeOption.home()).get(ApiPaths.OPERATORS, new TypeReference<>() { });
            System.out.printf("%-20s %-9s %-18s %s%n", "NAME", "ROLE", "STATE", "ADDED BY");
            all.forEach(o -> System.out.printf("%-20s %-9s %-18s %s%n", o.name(), o.role(), o.state(), o.createdBy()));
            return 0;
        }
    }

    @Command(name = "remove", description = "Removes an operator: their sessions end at once.")
    static final class Remove implements Callable<Integer> {
        @Mixin
        HomeOption homeOption;
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            ManagerClient.of(homeOption.home()).delete(ApiPaths.operator(name));
            System.out.println("Operator " + name + " removed; their sessions have ended.");
            return 0;
        }
    }
}
