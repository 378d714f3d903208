package org.idcguard.agent.cli;

import org.idcguard.client.ApiPaths;

import com.fasterxml.jackson.core.type.TypeReference;
import java.util.List;
import java.util.concurrent.Callable;
import org.idcguard.agent.drill.CityLossDrill;
import org.idcguard.agent.drill.ClusterAccess;
import org.idcguard.agent.drill.DrillRunner;
import org.idcguard.agent.drill.DrillKind;
import org.idcguard.model.DrillReport;
import org.idcguard.model.DrillRound;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./idcguard drill NAME --fault power-off|freeze|partition|switch --idc IDC [--rounds N]}, and
 * {@code ./idcguard drill NAME --fault city-loss [--mode latest]} for a cluster with a DR city.
 */
@Command(name = "drill", description = "Fails an IDC of a cluster on the local computers while a probe workload writes; "
        + "prints one line per round with rto_ms= and rpo=, and the id of the report the manager keeps.",
        subcommands = DrillCommand.Show.class)
final class DrillCommand implements Callable<Integer> {
    @Mixin
    HomeOption homeOption;
    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "The cluster.")
    String cluster;
    @Option(names = "--fault", description = "power-off (SIGKILL), freeze (SIGSTOP), partition (the IDC cut off from the other IDC and the managers by nftables on its computers, for 10 s), switch (a planned switch of the primary IDC), or city-loss (both IDCs of the main city powered off, the DR city promoted, the main city restored and brought home).")
    String fault;
    @Option(names = "--idc", description = "The IDC to fail; if it is the primary IDC, every round fails the primary IDC of that moment.")
    String idc;
    @Option(names = "--rounds", defaultValue = "1")
    int rounds;
    @Option(names = "--mode", description = "For city-loss: how the DR city is promoted, latest (default) or consistent.")
    String mode;

    @Override
    public Integer call() throws Exception {
        if (cluster != null && "city-loss".equals(fault)) {
            return cityLoss();
        }
        if (cluster == null || fault == null || idc == null) {
            throw new CliFailure("A drill needs the cluster, --fault and --idc (or: drill show ID).", 2);
        }
        DrillKind kind;
        try {
            kind = DrillKind.parse(fault);
        } catch (IllegalArgumentException e) {
            throw new CliFailure(e.getMessage(), 2);
        }
        if (rounds < 1 || rounds > 100) {
            throw new CliFailure("The number of rounds must be between 1 and 100.", 2);
        }
        ClusterAccess access = new LocalClusterAccess(homeOption.home());
        List<DrillRound> results;
        DrillRunner runner = new DrillRunner(access, System.out);
        long started = System.currentTimeMillis();
        try {
            results = runner.run(cluster, kind, idc, rounds);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new CliFailure(e.getMessage());
        }
        if (!results.isEmpty()) {
            DrillReport stored = ManagerClient.of(homeOption.home()).post(ApiPaths.DRILLS, new DrillReport(0, cluster, fault, idc,
                    started, System.currentTimeMillis(), results, runner.timelines()), new TypeReference<DrillReport>() { });
            System.out.println("report=" + stored.id() + " (./idcguard drill show " + stored.id() + ")");
        }
        System.out.println("summary: rounds=" + results.size() + " rto_median_ms=" + DrillReport.medianRto(results)
                + " rto_worst_ms=" + results.stream().mapToLong(DrillRound::rtoMillis).max().orElse(-1)
                + " rpo_total=" + results.stream().mapToLong(DrillRound::rpo).sum());
        if (results.stream().anyMatch(r -> !r.passed()) || results.size() < rounds) {
            throw new CliFailure("The drill failed: a round lost an acknowledged write or did not recover.");
        }
        return 0;
    }

    /** Both IDCs of the main city powered off, the DR city promoted as a DBA would, the main city restored and brought home. */
    private int cityLoss() throws java.sql.SQLException {
        CityLossDrill.Result r;
        try {
            r = new CityLossDrill(new LocalClusterAccess(homeOption.home()), System.out).run(cluster, mode);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new CliFailure(e.getMessage());
        }
        if (!r.passed()) {
            throw new CliFailure("The drill failed: the actual loss exceeded the estimate, or a write acknowledged after the promotion was lost.");
        }
        return 0;
    }

    /** {@code ./idcguard drill show ID}: a stored drill report, one line per round. */
    @Command(name = "show", description = "Prints a drill report the manager keeps.")
    static final class Show implements Callable<Integer> {
        @Mixin
        HomeOption homeOption;
        @Parameters(index = "0", paramLabel = "ID", description = "The report's id, as the drill printed it.")
        long id;

        @Override
        public Integer call() {
            DrillReport r = ManagerClient.of(homeOption.home()).get(ApiPaths.drill(id), new TypeReference<DrillReport>() { });
            System.out.println("Drill " + r.id() + " of " + r.cluster() + ": " + r.fault() + " of " + r.idc() + ", "
                    + r.rounds().size() + " round(s), started " + java.time.Instant.ofEpochMilli(r.startedMillis()) + ", "
                    + (r.passed() ? "passed" : "FAILED"));
            r.rounds().forEach(round -> System.out.println(round.line()));
            return r.passed() ? 0 : 1;
        }
    }
}
