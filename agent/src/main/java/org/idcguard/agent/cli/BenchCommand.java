package org.idcguard.agent.cli;

import org.idcguard.client.ApiPaths;

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
@Command(name = "bench", description = "Benchmarks against the local demo.", subcommands = {BenchCommand.Create.class, BenchCommand.Switch.class})
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
                TaskView task = manager.post(ApiPaths.CLUSTERS, request, new TypeReference<TaskView>() { });
                TaskView done = TaskWaiter.await(manager, task, new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
                double s = (done.finishedMillis() - done.createdMillis()) / 1000.0;
                seconds.add(s);
                System.out.printf("round %d: created %s in %.1f s%n", round, name, s);
                TaskView deletion = manager.delete(ApiPaths.cluster(name), new TypeReference<TaskView>() { });
                TaskWaiter.await(manager, deletion, new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
            }
            List<Double> sorted = seconds.stream().sorted().toList();
            System.out.printf("create: median %.1f s, worst %.1f s over %d rounds (target 30 s)%n",
                    sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1), rounds);
            return 0;
        }
    }

    @Command(name = "switch", description = "Switches a cluster's primary IDC back and forth while the probe workload writes; "
            + "prints the longest gap between acknowledged writes per switch.")
    static final class Switch implements Callable<Integer> {
        @Mixin
        HomeOption homeOption;
        @picocli.CommandLine.Parameters(index = "0", paramLabel = "NAME")
        String cluster;
        @Option(names = "--rounds", defaultValue = "10")
        int rounds;

        @Override
        public Integer call() throws Exception {
            ManagerClient manager = ManagerClient.of(homeOption.home());
            java.io.PrintStream quiet = new java.io.PrintStream(java.io.OutputStream.nullOutputStream());
            List<Long> gaps = new ArrayList<>();
            long lost = 0;
            for (int round = 1; round <= rounds; round++) {
                awaitReady(manager);
                org.idcguard.model.ClusterDetail d = manager.get(ApiPaths.cluster(cluster), new TypeReference<org.idcguard.model.ClusterDetail>() { });
                String to = d.summary().backupIdc();
                org.idcguard.agent.drill.ProbeWorkload probe = new org.idcguard.agent.drill.ProbeWorkload(d.uris().jdbc());
                probe.prepare();
                probe.start();
                Thread.sleep(1500);
                long started = System.currentTimeMillis();
                TaskView task = manager.post(ApiPaths.cluster(cluster, "switch"), new org.idcguard.model.SwitchRequest(to),
                        new TypeReference<TaskView>() { });
                TaskView done = TaskWaiter.await(manager, task, quiet);
                long took = System.currentTimeMillis() - started;
                Thread.sleep(1500);
                org.idcguard.agent.drill.ProbeReport report = probe.stop();
                gaps.add(report.longestGapMillis());
                lost += report.missing();
                System.out.printf("switch=%d to=%s pause_ms=%d rpo=%d acked=%d errors=%d task_ms=%d %s%n", round, to,
                        report.longestGapMillis(), report.missing(), report.acked(), report.errors(), took, done.status());
            }
            List<Long> sorted = gaps.stream().sorted().toList();
            long median = sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
                    : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
            System.out.printf("summary: switches=%d pause_median_ms=%d pause_worst_ms=%d rpo_total=%d%n", rounds, median,
                    sorted.get(sorted.size() - 1), lost);
            return lost == 0 ? 0 : 1;
        }

        private void awaitReady(ManagerClient manager) throws InterruptedException {
            long deadline = System.currentTimeMillis() + 120_000;
            while (System.currentTimeMillis() < deadline) {
                org.idcguard.model.ClusterDetail d = manager.get(ApiPaths.cluster(cluster), new TypeReference<org.idcguard.model.ClusterDetail>() { });
                if (org.idcguard.agent.drill.ClusterHealth.fullyProtected(d)) {
                    return;
                }
                Thread.sleep(500);
            }
            throw new CliFailure("Cluster " + cluster + " did not return to full protection within 120 s.");
        }
    }
}
