package org.idcguard.agent.cli;

import java.util.concurrent.Callable;
import org.idcguard.agent.drill.ChaosRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./idcguard chaos NAME --minutes N [--seed S]}: a soak of random faults on the local computers. */
@Command(name = "chaos", description = "Applies random faults one after another to a cluster on the local computers (power-off, "
        + "freezes of 0.5-6 s, a primary killed, the backup IDC lost, the manager killed, a partition where root allows) "
        + "while the probe workload writes; waits for full protection after each; prints the faults, acknowledged writes, "
        + "writes lost (must be 0) and the slowest recovery.")
final class ChaosCommand implements Callable<Integer> {
    @Mixin
    HomeOption homeOption;
    @Parameters(index = "0", paramLabel = "NAME", description = "The cluster.")
    String cluster;
    @Option(names = "--minutes", required = true, description = "How long to go on applying faults.")
    int minutes;
    @Option(names = "--seed", description = "Seed of the fault sequence (default: the time); the same seed gives the same faults.")
    Long seed;

    @Override
    public Integer call() throws Exception {
        if (minutes < 1 || minutes > 24 * 60) {
            throw new CliFailure("The soak lasts between 1 and 1440 minutes.", 2);
        }
        long s = seed == null ? System.currentTimeMillis() : seed;
        System.out.println("chaos: cluster " + cluster + ", " + minutes + " min, seed " + s);
        ChaosRunner.Report report;
        try {
            report = new ChaosRunner(new LocalClusterAccess(homeOption.home()), System.out, s).run(cluster, minutes);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new CliFailure(e.getMessage());
        }
        if (report.lost() > 0) {
            throw new CliFailure("The soak lost " + report.lost() + " acknowledged write(s).");
        }
        if (!report.recoveredEveryTime()) {
            throw new CliFailure("The cluster did not return to full protection after a fault.");
        }
        return 0;
    }
}
