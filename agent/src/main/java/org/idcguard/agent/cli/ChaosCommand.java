package org.idcguard.agent.cli;

import java.util.concurrent.Callable;
import org.idcguard.agent.drill.ChaosRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./idcguard chaos NAME --minutes N [--seed S] [--faults LIST]}: a soak of random faults on the local computers. */
@Command(name = "chaos", description = "Applies random faults one after another to a cluster on the local computers (power-off, "
        + "freezes of 0.5-6 s, a primary killed, the backup IDC lost, the manager killed, a partition where root allows, back-to-back "
        + "takeovers, and on a cluster with a DR city a DR promotion with its loss accepted) while the probe workload writes; "
        + "waits for full protection after each; prints the faults, acknowledged writes, writes lost (must be 0), the writes "
        + "accepted as lost by DR promotions and the slowest recovery.")
final class ChaosCommand implements Callable<Integer> {
    @Mixin
    HomeOption homeOption;
    @Parameters(index = "0", paramLabel = "NAME", description = "The cluster.")
    String cluster;
    @Option(names = "--minutes", required = true, description = "How long to go on applying faults.")
    int minutes;
    @Option(names = "--seed", description = "Seed of the fault sequence (default: the time); the same seed gives the same faults.")
    Long seed;
    @Option(names = "--faults", paramLabel = "LIST", description = "Only these kinds, comma-separated (default: every kind the estate "
            + "allows): power-off, freeze, freeze-backup, kill-primary, backup-idc-lost, manager-killed, manager-killed-mid-takeover, "
            + "partition, back-to-back, dr-promotion.")
    String faults;

    @Override
    public Integer call() throws Exception {
        if (minutes < 1 || minutes > 24 * 60) {
            throw new CliFailure("The soak lasts between 1 and 1440 minutes.", 2);
        }
        long s = seed == null ? System.currentTimeMillis() : seed;
        System.out.println("chaos: cluster " + cluster + ", " + minutes + " min, seed " + s + (faults == null ? "" : ", faults " + faults));
        ChaosRunner.Report report;
        try {
            report = new ChaosRunner(new LocalClusterAccess(homeOption.home()), System.out, s, faults).run(cluster, minutes);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new CliFailure(e.getMessage());
        }
        if (report.lost() > 0) {
            throw new CliFailure("The soak lost " + report.lost() + " acknowledged write(s).");
        }
        if (report.transfersBroken() > 0) {
            throw new CliFailure("The soak left cross-shard transfers broken: " + report.transfers().line() + ".");
        }
        if (!report.estimatesHeld()) {
            throw new CliFailure("A DR promotion lost more than its dry run estimated.");
        }
        if (!report.recoveredEveryTime()) {
            throw new CliFailure("The cluster did not return to full protection after a fault.");
        }
        return 0;
    }
}
