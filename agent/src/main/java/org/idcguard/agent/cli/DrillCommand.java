package org.idcguard.agent.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.idcguard.agent.drill.ClusterAccess;
import org.idcguard.agent.drill.DrillRound;
import org.idcguard.agent.drill.DrillRunner;
import org.idcguard.agent.drill.IdcFault;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./idcguard drill NAME --fault power-off|freeze --idc IDC [--rounds N]} on the local computers. */
@Command(name = "drill", description = "Fails an IDC of a cluster on the local computers while a probe workload writes; "
        + "prints one line per round with rto_ms= and rpo=.")
final class DrillCommand implements Callable<Integer> {
    @Mixin
    HomeOption homeOption;
    @Parameters(index = "0", paramLabel = "NAME", description = "The cluster.")
    String cluster;
    @Option(names = "--fault", required = true, description = "power-off (SIGKILL) or freeze (SIGSTOP).")
    String fault;
    @Option(names = "--idc", required = true, description = "The IDC to fail; if it is the primary IDC, every round fails the primary IDC of that moment.")
    String idc;
    @Option(names = "--rounds", defaultValue = "1")
    int rounds;

    @Override
    public Integer call() throws Exception {
        IdcFault.Kind kind;
        try {
            kind = IdcFault.parse(fault);
        } catch (IllegalArgumentException e) {
            throw new CliFailure(e.getMessage(), 2);
        }
        if (rounds < 1 || rounds > 100) {
            throw new CliFailure("The number of rounds must be between 1 and 100.", 2);
        }
        ClusterAccess access = new LocalClusterAccess(homeOption.home());
        List<DrillRound> results;
        try {
            results = new DrillRunner(access, System.out).run(cluster, kind, idc, rounds);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new CliFailure(e.getMessage());
        }
        List<Long> rto = results.stream().map(DrillRound::rtoMillis).sorted().toList();
        long median = rto.size() % 2 == 1 ? rto.get(rto.size() / 2) : (rto.get(rto.size() / 2 - 1) + rto.get(rto.size() / 2)) / 2;
        System.out.println("summary: rounds=" + results.size() + " rto_median_ms=" + median
                + " rto_worst_ms=" + rto.get(rto.size() - 1) + " rpo_total=" + results.stream().mapToLong(DrillRound::rpo).sum());
        if (results.stream().anyMatch(r -> !r.passed()) || results.size() < rounds) {
            throw new CliFailure("The drill failed: a round lost an acknowledged write or did not recover.");
        }
        return 0;
    }
}
