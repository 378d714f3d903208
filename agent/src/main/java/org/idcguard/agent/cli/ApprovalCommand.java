package org.idcguard.agent.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import org.idcguard.client.ApiPaths;
import org.idcguard.model.AccessSettings;
import org.idcguard.model.Approval;
import org.idcguard.model.TaskView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** The four-eyes rule: turn it on or off, list what it holds, approve or reject as the second admin. */
@Command(name = "approval", description = "The four-eyes rule: a DR promotion or a cluster deletion waits for a second admin.",
        subcommands = {ApprovalCommand.Rule.class, ApprovalCommand.ListApprovals.class, ApprovalCommand.Approve.class,
                ApprovalCommand.Reject.class})
final class ApprovalCommand {

    @Command(name = "rule", description = "Turns the four-eyes rule on or off (admin).")
    static final class Rule implements Callable<Integer> {
        @Mixin
        HomeOption homeOption;
        @Parameters(paramLabel = "on|off")
        String state;

        @Override
        public Integer call() {
            if (!state.equals("on") && !state.equals("off")) {
                throw new CliFailure("The rule is turned 'on' or 'off', not '" + state + "'.", 2);
            }
            AccessSettings now = ManagerClient.of(homeOption.home()).put(ApiPaths.ACCESS_SETTINGS, new AccessSettings(state.equals("on")),
                    new TypeReference<>() { });
            System.out.println(now.fourEyes() ? "The four-eyes rule is on: a DR promotion or a cluster deletion waits for a second admin."
                    : "The four-eyes rule is off.");
            return 0;
        }
    }

    @Command(name = "list", description = "Lists what the rule holds or held, newest first.")
    static final class ListApprovals implements Callable<Integer> {
        @Mixin
        HomeOption homeOption;

        @Override
        public Integer call() {
            List<Approval> all = ManagerClient.of(homeOption.home()).get(ApiPaths.APPROVALS, new TypeReference<>() { });
            System.out.printf("%-5s %-9s %-12s %-21s %s%n", "ID", "STATE", "ASKED BY", "UNTIL", "WHAT");
            all.forEach(a -> System.out.printf("%-5d %-9s %-12s %-21s %s%s%n", a.id(), a.state(), a.requestedBy(),
                    Instant.ofEpochMilli(a.expiresMillis()).toString().substring(0, 19) + "Z", a.what(),
                    a.decidedBy() == null ? "" : " (" + a.state() + " by " + a.decidedBy() + ")"));
            return 0;
        }
    }

    @Command(name = "approve", description = "Approves as the second admin: the operation starts as the admin who asked.")
    static final class Approve implements Callable<Integer> {
        @Mixin
        HomeOption homeOption;
        @Parameters(paramLabel = "ID")
        long id;

        @Override
        public Integer call() {
            TaskView task = ManagerClient.of(homeOption.home()).post(ApiPaths.approval(id, "approve"), null, new TypeReference<>() { });
            System.out.println("Approved: task " + task.id() + " (" + task.kind() + " of " + task.subject() + ") has started; "
                    + "follow it with the console's Tasks screen or GET /api/tasks/" + task.id() + ".");
            return 0;
        }
    }

    @Command(name = "reject", description = "Rejects as the second admin: the operation does not happen.")
    static final class Reject implements Callable<Integer> {
        @Mixin
        HomeOption homeOption;
        @Parameters(paramLabel = "ID")
        long id;

        @Override
        public Integer call() {
            Approval a = ManagerClient.of(homeOption.home()).post(ApiPaths.approval(id, "reject"), null, new TypeReference<>() { });
            System.out.println("Rejected: " + a.what() + " will not happen.");
            return 0;
        }
    }
}
