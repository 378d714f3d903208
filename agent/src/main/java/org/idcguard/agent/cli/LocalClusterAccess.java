package org.idcguard.agent.cli;

import org.idcguard.client.ApiPaths;

import com.fasterxml.jackson.core.type.TypeReference;
import java.util.List;
import org.idcguard.agent.drill.ClusterAccess;
import org.idcguard.agent.home.AgentHome;
import org.idcguard.model.ClusterDetail;
import org.idcguard.model.Computer;

/**
 * A drill's or soak's view of the local estate of a home: the manager through its API, and the node agents and the
 * manager started again the way {@code demo up} starts them. The manager is asked afresh each time, so a restarted
 * manager (on a new port) is found.
 */
final class LocalClusterAccess implements ClusterAccess {
    private final AgentHome home;
    private final LocalProcesses processes;

    @Override
    public java.util.Optional<java.nio.file.Path> managersHome() {
        return java.util.Optional.of(home.root());
    }

    LocalClusterAccess(AgentHome home) {
        this.home = home;
        this.processes = new LocalProcesses(home);
    }

    @Override
    public ClusterDetail detail(String name) {
        return ManagerClient.of(home).get(ApiPaths.cluster(name), new TypeReference<ClusterDetail>() { });
    }

    @Override
    public List<org.idcguard.model.Event> events(long afterId) {
        return ManagerClient.of(home).get(ApiPaths.events(afterId), new TypeReference<List<org.idcguard.model.Event>>() { });
    }

    @Override
    public List<String> computersOf(String idc) {
        return ManagerClient.of(home).get(ApiPaths.COMPUTERS, new TypeReference<List<Computer>>() { }).stream()
                .filter(c -> idc.equals(c.idc())).map(Computer::address).toList();
    }

    @Override
    public void restartNodeAgent(String address) {
        processes.start("node-" + address, "node", "--address", address, "--home", home.root().toString());
    }

    @Override
    public long faultByAgents(String idc, String kind, int seconds) {
        List<org.idcguard.model.NodeFault.Struck> struck = ManagerClient.of(home).post(ApiPaths.idcFaults(idc),
                java.util.Map.of("kind", kind, "seconds", seconds), new TypeReference<List<org.idcguard.model.NodeFault.Struck>>() { });
        return struck.stream().mapToLong(org.idcguard.model.NodeFault.Struck::struckAtMillis).min().orElse(System.currentTimeMillis());
    }

    @Override
    public void restoreByAgents(String idc) {
        ManagerClient.of(home).delete(ApiPaths.idcFaults(idc), new TypeReference<java.util.Map<String, Object>>() { });
    }

    @Override
    public boolean reachable(String address) {
        return ManagerClient.of(home).get(ApiPaths.computer(address), new TypeReference<Computer>() { }).status()
                == org.idcguard.model.ComputerStatus.REACHABLE;
    }

    @Override
    public org.idcguard.model.DrStatus drStatus(String cluster) {
        return ManagerClient.of(home).get(ApiPaths.cluster(cluster, "dr"), new TypeReference<org.idcguard.model.DrStatus>() { });
    }

    @Override
    public org.idcguard.model.DrPlan drPlan(String cluster, String to, String mode) {
        return ManagerClient.of(home).get(ApiPaths.query(ApiPaths.query(ApiPaths.cluster(cluster, "dr/promote"), "to", to), "mode", mode),
                new TypeReference<org.idcguard.model.DrPlan>() { });
    }

    @Override
    public void promoteBackupCity(String cluster, org.idcguard.model.DrPromoteRequest request) {
        ManagerClient manager = ManagerClient.of(home);
        awaitTask(manager, manager.post(ApiPaths.cluster(cluster, "dr/promote"), request,
                new TypeReference<org.idcguard.model.TaskView>() { }), "the promotion");
    }

    @Override
    public void switchPrimary(String cluster, String to) {
        ManagerClient manager = ManagerClient.of(home);
        awaitTask(manager, manager.post(ApiPaths.cluster(cluster, "switch"), new org.idcguard.model.SwitchRequest(to),
                new TypeReference<org.idcguard.model.TaskView>() { }), "the switch");
    }

    private static void awaitTask(ManagerClient manager, org.idcguard.model.TaskView task, String what) {
        try {
            TaskWaiter.await(manager, task, new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + what + " ran");
        } catch (CliFailure e) {
            throw new IllegalStateException(e.getMessage());
        }
    }

    /** Only a manager that this home's demo started (and so is in its pid file) can be killed and started again. */
    @Override
    public boolean managerRestartable() {
        return processes.isRunning("manager");
    }

    @Override
    public void killManager() {
        processes.kill("manager");
    }

    private static final long RESTART_LIMIT_MILLIS = 60_000;

    @Override
    public void startManager() {
        processes.start("manager", "manager", "--home", home.root().toString());
        // A soak on one 2-core computer runs fifteen instances, the probe and the transfers beside the manager: its
        // restart was measured at about 30 s there (a JVM's start, then metadata reads of several hundred ms each), so
        // a minute is allowed before the restart counts as failed.
        long deadline = System.currentTimeMillis() + RESTART_LIMIT_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            try {
                ManagerClient.of(home).get(ApiPaths.HEALTH, new TypeReference<java.util.Map<String, Object>>() { });
                return;
            } catch (RuntimeException notYet) {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        throw new IllegalStateException("The restarted manager did not answer within " + RESTART_LIMIT_MILLIS / 1000 + " s: "
                + processes.lastLogLine("manager"));
    }
}
