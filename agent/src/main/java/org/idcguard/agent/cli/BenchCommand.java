package org.idcguard.agent.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.idcguard.model.ClusterRequest;
import org.idcguard.model.TaskView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Benchmarks, run by hand against a demo (./idcguard demo up); they print figures and check no target. */
@Command(name = "bench", description = "Benchmarks against the local demo.", subcommands = {BenchCommand.Create.class})
final class BenchCommand {

    @Command(name = "create", description = "Times creating (and deleting) the default cluster: coordinator + 2 shards, 2 nodes per IDC per group.")
    static final class Create implements Callable<Integer> {
        @Mixin
        HomeOption homeOption;
        @Option(names = "--rounds", defaultValue = "3")
        int rounds;
        @Option(names = "--shards", description = "Storage shards (default 2).")
        Integer shards;
        @Option(names = "--nodes-per-idc", description = "Nodes per group per IDC (default 2).")
        Integer nodesPerIdc;

        @Override
        public Integer call() throws InterruptedException {
            ManagerClient manager = ManagerClient.of(homeOption.home());
            List<Double> seconds = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                String name = "bench" + round;
                ClusterRequest request = new ClusterRequest(name, ClusterRequest.INTRA_CITY, "Shenzhen", "IDC1", "IDC2",
                        shards, nodesPerIdc, null, null, null, null);
                TaskView task = manager.post("/api/clusters", request, new TypeReference<TaskView>() { });
                TaskView done = TaskWaiter.await(manager, task, new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
                double s = (done.finishedMillis() - done.createdMillis()) / 1000.0;
                seconds.add(s);
                System.out.printf("round %d: created %s in %.1f s%n", round, name, s);
                TaskView deletion = manager.delete("/api/clusters/" + name, new TypeReference<TaskView>() { });
                TaskWaiter.await(manager, deletion, new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
            }
            List<Double> sorted = seconds.stream().sorted().toList();
            System.out.printf("create: median %.1f s, worst %.1f s over %d rounds (target 30 s)%n",
                    sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1), rounds);
            return 0;
        }
    }
}
