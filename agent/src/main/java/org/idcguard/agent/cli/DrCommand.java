package org.idcguard.agent.cli;

import org.idcguard.client.ApiPaths;

import com.fasterxml.jackson.core.type.TypeReference;
import java.util.concurrent.Callable;
import org.idcguard.model.DrPlan;
import org.idcguard.model.DrPromoteRequest;
import org.idcguard.model.DrStatus;
import org.idcguard.model.TaskView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./idcguard dr status NAME} and {@code ./idcguard dr promote NAME --to IDC [--accept-loss]}: the backup city. */
@Command(name = "dr", description = "Shows a cluster's DR city and promotes it when the main city is lost.",
        subcommands = {DrCommand.Status.class, DrCommand.Add.class, DrCommand.Promote.class})
final class DrCommand {

    @Command(name = "status", description = "What each group's DR standby holds, and what a promotion would lose now.")
    static final class Status implements Callable<Integer> {
        @Mixin
        HomeOption homeOption;
        @Parameters(paramLabel = "NAME")
        String cluster;

        @Override
        public Integer call() {
            DrStatus s = ManagerClient.of(homeOption.home()).get(ApiPaths.cluster(cluster, "dr"), new TypeReference<DrStatus>() { });
            System.out.printf("Cluster %s: DR IDC %s (%s)%s; a promotion now would lose %s%n", s.cluster(), s.drIdc(), s.drCity(),
                    s.runsInDrCity() ? ", which holds the primaries" : s.mainCityLost() ? ", MAIN CITY LOST" : "",
                    s.estimatedLossBytes() < 0 ? "an unknown amount" : s.estimatedLossBytes() + " bytes, up to "
                            + String.format("%.1f", s.estimatedLossMillis() / 1000.0) + " s of commits");
            System.out.println(s.restorePoint() == null ? "No common restore point has reached the DR city yet."
                    : "Newest common restore point in the DR city: " + s.restorePoint() + " ("
                    + (System.currentTimeMillis() - s.restorePointMillis()) / 1000 + " s ago).");
            System.out.printf("%-14s %-24s %-14s %-14s %-14s %12s %10s%n", "GROUP", "DR STANDBY", "STATE", "RECEIVED", "PRIMARY AT", "LAG", "LAG TIME");
            for (DrStatus.Group g : s.groups()) {
                System.out.printf("%-14s %-24s %-14s %-14s %-14s %12s %10s%n", g.group(), g.node(), g.state(), g.receivedLsn(),
                        g.lastPrimaryLsn(), g.lagBytes() < 0 ? "-" : g.lagBytes() + " B",
                        g.lagMillis() < 0 ? "-" : String.format("%.1f s", g.lagMillis() / 1000.0));
            }
            if (!s.promotions().isEmpty()) {
                System.out.printf("%nLast promotion (actual loss against the last position known from the main city):%n");
                for (DrStatus.Promotion p : s.promotions()) {
                    System.out.printf("%-14s %-24s %-10s estimated %d B, promoted at %s, main city last at %s: %d B lost%n", p.group(),
                            p.node(), p.mode(), p.estimatedLossBytes(), p.promotedLsn(), p.lastKnownLsn(), p.lossBytes());
                }
            }
            return 0;
        }
    }

    @Command(name = "add", description = "Gives a running cluster a DR city: asynchronous standbys of every group in an IDC of another city.")
    static final class Add implements Callable<Integer> {
        @Mixin
        HomeOption homeOption;
        @Parameters(paramLabel = "NAME")
        String cluster;
        @Option(names = "--idc", required = true, description = "The DR IDC, in another city than the cluster's.")
        String idc;
        @Option(names = "--nodes", description = "Standbys of each group in the DR IDC (default 1).")
        Integer nodes;

        @Override
        public Integer call() throws InterruptedException {
            ManagerClient manager = ManagerClient.of(homeOption.home());
            TaskView task = manager.post(ApiPaths.cluster(cluster, "dr"), new org.idcguard.model.AddDrRequest(idc, nodes),
                    new TypeReference<TaskView>() { });
            TaskView done = TaskWaiter.await(manager, task, System.out);
            System.out.printf("%s (%.1f s)%n", done.message(), (done.finishedMillis() - done.createdMillis()) / 1000.0);
            return 0;
        }
    }

    @Command(name = "promote", description = "Promotes the DR IDC's standbys when the main city is lost: every group, coordinator "
            + "included. Prints the estimated loss first; without --accept-loss a promotion that loses anything is refused.")
    static final class Promote implements Callable<Integer> {
        @Mixin
        HomeOption homeOption;
        @Parameters(paramLabel = "NAME")
        String cluster;
        @Option(names = "--to", required = true, description = "The DR IDC.")
        String to;
        @Option(names = "--mode", description = "latest (default): every group at the newest WAL it received; consistent: every group "
                + "at the newest restore point they all received, so a transaction across shards is wholly present or wholly absent.")
        String mode;
        @Option(names = "--accept-loss", description = "You have read the estimated loss and accept it.")
        boolean acceptLoss;
        @Option(names = "--dry-run", description = "Print the preflight and estimated loss; change nothing.")
        boolean dryRun;

        @Override
        public Integer call() throws InterruptedException {
            ManagerClient manager = ManagerClient.of(homeOption.home());
            DrPromoteRequest request = new DrPromoteRequest(to, mode, acceptLoss);
            DrPlan plan = manager.post(ApiPaths.cluster(cluster, "dr/promote?dryRun=true"), request, new TypeReference<DrPlan>() { });
            if (plan.restorePoint() != null) {
                System.out.println("Every group is promoted at the restore point " + plan.restorePoint() + ".");
            }
            System.out.printf("%-14s %-24s %-24s %-14s %-14s %12s %10s%n", "GROUP", "OLD PRIMARY", "DR STANDBY", "MAIN CITY AT",
                    "DR AT", "LOSS", "LOSS TIME");
            for (DrPlan.Move m : plan.groups()) {
                System.out.printf("%-14s %-24s %-24s %-14s %-14s %12s %10s%n", m.group(), m.oldPrimary(), m.candidate(), m.lastKnownLsn(),
                        m.candidateLsn(), m.lossBytes() < 0 ? "unknown" : m.lossBytes() + " B",
                        m.lossMillis() < 0 ? "-" : String.format("%.1f s", m.lossMillis() / 1000.0));
            }
            System.out.printf("Estimated loss: %d bytes, up to %.1f s of commits.%n", plan.estimatedLossBytes(), plan.estimatedLossMillis() / 1000.0);
            if (!plan.unknownSentence().isEmpty()) {
                System.out.println(plan.unknownSentence());
            }
            if (plan.unseenMillis() > 0) {
                System.out.println(plan.unseenSentence());
            }
            if (plan.blocked()) {
                throw new CliFailure("The promotion to " + to + " cannot start: " + String.join(" ", plan.blockers()));
            }
            if (dryRun) {
                return 0;
            }
            long started = System.currentTimeMillis();
            TaskView task = manager.post(ApiPaths.cluster(cluster, "dr/promote"), request, new TypeReference<TaskView>() { });
            TaskView done = TaskWaiter.await(manager, task, System.out);
            System.out.printf("%s (%.1f s)%n", done.message(), (System.currentTimeMillis() - started) / 1000.0);
            return 0;
        }
    }
}
