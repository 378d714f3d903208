package org.idcguard.agent.manager.server;

import org.idcguard.agent.manager.*;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.idcguard.agent.drill.ClusterAccess;
import org.idcguard.agent.drill.DrillRunner;
import org.idcguard.agent.drill.DrillKind;
import org.idcguard.agent.http.ApiFailure;
import org.idcguard.agent.manager.cluster.ClusterService;
import org.idcguard.agent.manager.task.TaskRunner;
import org.idcguard.model.ClusterDetail;
import org.idcguard.model.Computer;
import org.idcguard.model.DrillLive;
import org.idcguard.model.DrillReport;
import org.idcguard.model.DrillRequest;
import org.idcguard.model.DrillRound;
import org.idcguard.model.Event;
import org.idcguard.model.TaskView;

/**
 * Drills the manager runs itself, as tasks (one step per round), with the same engine as {@code ./idcguard drill}:
 * the console can close and open again while one runs, and follow it through {@link #live()}. The faults are applied
 * to the computers' processes on this host, as the CLI's are; one drill per cluster at a time. The report is stored
 * when the drill ends, however it ends.
 */
public final class DrillService {
    private static final int MAX_ROUNDS = 20;
    private final ClusterService clusters;
    private final ComputerService computers;
    private final EventLog events;
    private final TaskRunner tasks;
    private final DrillReports reports;
    private final Consumer<String> restartNodeAgent;
    private final IdcFaults idcFaults;
    private final org.idcguard.agent.manager.ha.PlannedSwitch switches;
    private final Map<String, Running> running = new ConcurrentHashMap<>();

    private record Running(long taskId, DrillRequest request, long startedMillis, DrillRunner runner) {
    }

    public DrillService(ClusterService clusters, ComputerService computers, EventLog events, TaskRunner tasks,
                        DrillReports reports, Consumer<String> restartNodeAgent, org.idcguard.agent.manager.ha.PlannedSwitch switches,
                        IdcFaults idcFaults) {
        this.idcFaults = idcFaults;
        this.clusters = clusters;
        this.computers = computers;
        this.events = events;
        this.tasks = tasks;
        this.reports = reports;
        this.restartNodeAgent = restartNodeAgent;
        this.switches = switches;
    }

    /** Checks the request, then starts the drill as a task; refused while another drill of the cluster runs. */
    public TaskView start(String cluster, DrillRequest request) {
        if (request == null || request.fault() == null || request.idc() == null) {
            throw new ApiFailure(400, "A drill needs a fault (power-off, freeze or switch), an IDC and a number of rounds.", "fault");
        }
        DrillKind kind;
        try {
            kind = DrillKind.parse(request.fault());
        } catch (IllegalArgumentException e) {
            throw new ApiFailure(400, e.getMessage(), "fault");
        }
        if (request.rounds() < 1 || request.rounds() > MAX_ROUNDS) {
            throw new ApiFailure(400, "The number of rounds must be between 1 and " + MAX_ROUNDS + ".", "rounds");
        }
        ClusterDetail detail = clusters.detail(cluster); // 404 for an unknown cluster
        if (!"running".equals(detail.summary().status())) {
            throw ApiFailure.conflict("cluster", "Cluster " + cluster + " is " + detail.summary().status() + ", not running.");
        }
        if (!request.idc().equals(detail.summary().primaryIdc()) && !request.idc().equals(detail.summary().backupIdc())) {
            throw new ApiFailure(400, "Cluster " + cluster + " has no node in IDC " + request.idc() + ".", "idc");
        }
        if (kind == DrillKind.SWITCH && !request.idc().equals(detail.summary().primaryIdc())) {
            throw new ApiFailure(400, "A switch drill moves the primary IDC away: name the primary IDC, "
                    + detail.summary().primaryIdc() + ".", "idc");
        }
        DrillRunner runner = new DrillRunner(new InProcess(), new PrintStream(OutputStream.nullOutputStream()));
        List<String> steps = new ArrayList<>();
        boolean followPrimary = request.idc().equals(detail.summary().primaryIdc());
        for (int i = 1; i <= request.rounds(); i++) {
            steps.add("Round " + i + ": " + request.fault() + " of " + (followPrimary ? "the primary IDC" : request.idc()));
        }
        synchronized (running) {
            Running other = running.get(cluster);
            if (other != null) {
                throw ApiFailure.conflict("cluster", "A drill of " + cluster + " is running already (task " + other.taskId() + ").");
            }
            long started = System.currentTimeMillis();
            java.util.concurrent.CountDownLatch registered = new java.util.concurrent.CountDownLatch(1);
            TaskView task = tasks.start("drill", cluster, steps, s -> {
                List<DrillRound> rounds = new ArrayList<>();
                long[] reportId = {0};
                registered.await(); // so that its removal below always follows the registration
                try {
                    for (int i = 1; i <= request.rounds(); i++) {
                        int round = i;
                        s.run(round, () -> {
                            DrillRound r = runner.nextRound(cluster, kind, request.idc(), followPrimary, round);
                            rounds.add(r);
                            if (!r.passed()) {
                                throw new IllegalStateException(r.line());
                            }
                            return r.line();
                        });
                    }
                } finally {
                    runner.ended("ended");
                    running.remove(cluster);
                    if (!rounds.isEmpty()) {
                        DrillReport stored = reports.add(new DrillReport(0, cluster, request.fault(), request.idc(), started,
                                System.currentTimeMillis(), rounds, runner.timelines()));
                        reportId[0] = stored.id();
                    }
                }
                return "Drill report " + reportId[0] + ": " + rounds.size() + " round(s), RPO "
                        + rounds.stream().mapToLong(DrillRound::rpo).sum() + ".";
            });
            running.put(cluster, new Running(task.id(), request, started, runner));
            registered.countDown();
            return task;
        }
    }

    /** Every drill running now, as far as it got. */
    public List<DrillLive> live() {
        List<DrillLive> all = new ArrayList<>();
        running.forEach((cluster, r) -> {
            DrillRunner.Snapshot s = r.runner().snapshot();
            all.add(new DrillLive(r.taskId(), cluster, r.request().fault(), r.request().idc(), r.request().rounds(), s.round(),
                    s.phase(), r.startedMillis(), s.finished(), s.current()));
        });
        return all;
    }

    /** The manager's own services seen through the drill engine's interface. */
    private final class InProcess implements ClusterAccess {
        @Override
        public ClusterDetail detail(String cluster) {
            return clusters.detail(cluster);
        }

        @Override
        public List<Event> events(long afterId) {
            return events.after(afterId, 1000);
        }

        @Override
        public List<String> computersOf(String idc) {
            return computers.list().stream().filter(c -> idc.equals(c.idc())).map(Computer::address).toList();
        }

        @Override
        public void restartNodeAgent(String address) {
            restartNodeAgent.accept(address);
        }

        @Override
        public long faultByAgents(String idc, String kind, int seconds) {
            return idcFaults.apply(idc, new IdcFaults.Request(kind, seconds)).stream()
                    .mapToLong(org.idcguard.model.NodeFault.Struck::struckAtMillis).min().orElse(System.currentTimeMillis());
        }

        @Override
        public void restoreByAgents(String idc) {
            idcFaults.restore(idc);
        }

        @Override
        public boolean reachable(String address) {
            return computers.get(address).status() == org.idcguard.model.ComputerStatus.REACHABLE;
        }

        @Override
        public void switchPrimary(String cluster, String to) {
            TaskView task = switches.start(cluster, to);
            long deadline = System.currentTimeMillis() + 120_000;
            while (!task.ended()) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("the switch (task " + task.id() + ") did not end within 120 s");
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted");
                }
                task = tasks.store().find(task.id()).orElseThrow();
            }
            if (!"succeeded".equals(task.status())) {
                throw new IllegalStateException(task.message());
            }
        }
    }
}
