package org.idcguard.agent.cli;

import org.idcguard.client.ApiPaths;

import com.fasterxml.jackson.core.type.TypeReference;
import java.util.concurrent.Callable;
import org.idcguard.model.SwitchPlan;
import org.idcguard.model.SwitchRequest;
import org.idcguard.model.TaskView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./idcguard switch NAME --to IDC [--dry-run]}: the planned IDC switch, followed to its end. */
@Command(name = "switch", description = "Moves every primary of a cluster to another IDC on purpose (planned IDC switch).")
final class SwitchCommand implements Callable<Integer> {
    @Mixin
    HomeOption homeOption;
    @Parameters(index = "0", paramLabel = "NAME")
    String cluster;
    @Option(names = "--to", required = true, description = "The IDC that becomes primary.")
    String to;
    @Option(names = "--dry-run", description = "Print the preflight and plan; change nothing.")
    boolean dryRun;

    @Override
    public Integer call() throws InterruptedException {
        ManagerClient manager = ManagerClient.of(homeOption.home());
        SwitchPlan plan = manager.post(ApiPaths.cluster(cluster, "switch?dryRun=true"), new SwitchRequest(to),
                new TypeReference<SwitchPlan>() { });
        System.out.printf("%-14s %-24s %-14s %-24s %-14s %10s  %s%n", "GROUP", "OLD PRIMARY", "LSN", "NEW PRIMARY", "LSN", "LAG", "BLOCKER");
        for (SwitchPlan.GroupMove m : plan.groups()) {
            System.out.printf("%-14s %-24s %-14s %-24s %-14s %10s  %s%n", m.group(), m.oldPrimary(), m.oldLsn(), m.newPrimary(),
                    m.newLsn(), m.lagBytes() < 0 ? "-" : m.lagBytes() + " B", m.blocker() == null ? "-" : m.blocker());
        }
        if (plan.blocked()) {
            throw new CliFailure("The switch to " + to + " cannot start: " + plan.blockers());
        }
        if (dryRun) {
            return 0;
        }
        long started = System.currentTimeMillis();
        TaskView task = manager.post(ApiPaths.cluster(cluster, "switch"), new SwitchRequest(to), new TypeReference<TaskView>() { });
        TaskView done = TaskWaiter.await(manager, task, System.out);
        System.out.printf("%s (%.1f s)%n", done.message(), (System.currentTimeMillis() - started) / 1000.0);
        return 0;
    }
}
