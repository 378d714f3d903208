package org.idcguard.agent.drill;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Faults applied to the local computers of one IDC, as DESIGN "Drills" defines them: {@code power-off} SIGKILLs every
 * node agent and PostgreSQL process of those computers, {@code freeze} SIGSTOPs them (connections hang, not refuse),
 * and restore undoes it (SIGCONT, or the caller restarts the node agents, which start nothing by themselves).
 * Processes are found by what they are: node agents by their {@code --address}, PostgreSQL servers by a data
 * directory under that address's folder, with every child process of theirs.
 */
public final class IdcFault {
    public enum Kind { POWER_OFF, FREEZE }

    private final Kind kind;
    private final List<String> addresses;
    private final String idc;
    private final java.nio.file.Path managersHome;
    private final List<ProcessHandle> hit = new ArrayList<>();
    /** The command lines of the manager supervisors a power-off killed, to start them again on restore. */
    private final List<List<String>> managersKilled = new ArrayList<>();
    private volatile long struckAt; // read by whoever follows the drill while apply() still waits for the processes to end

    public IdcFault(Kind kind, List<String> addresses) {
        this(kind, addresses, null, null);
    }

    /**
     * A fault on the IDC's computers and, when idc is given, on the managers of a quorum that run there ({@code manager
     * --idc IDC --home HOME} on this machine): a lost IDC takes its manager and ZooKeeper peer with it.
     */
    public IdcFault(Kind kind, List<String> addresses, String idc, java.nio.file.Path managersHome) {
        this.kind = kind;
        this.addresses = List.copyOf(addresses);
        this.idc = idc;
        this.managersHome = managersHome;
    }

    public static Kind parse(String text) {
        return switch (text) {
            case "power-off" -> Kind.POWER_OFF;
            case "freeze" -> Kind.FREEZE;
            default -> throw new IllegalArgumentException("The fault is power-off or freeze, not '" + text + "'.");
        };
    }

    /**
     * Applies the fault. The processes are found first (one pass over the process table) and then signalled together,
     * so that the fault lands at one moment, which {@link #struckAtMillis()} reports for the drill's clocks.
     */
    public int apply() {
        hit.clear();
        managersKilled.clear();
        ProcessTable table = ProcessTable.read();
        if (idc != null && managersHome != null) {
            List<ProcessHandle> managers = table.managersIn(idc, managersHome);
            hit.addAll(managers);
            for (ProcessHandle m : managers) {
                // a member's supervisor is the one whose parent is no manager of the IDC: it is what runs again
                if (m.parent().map(parent -> managers.stream().noneMatch(x -> x.pid() == parent.pid())).orElse(true)) {
                    managersKilled.add(table.commandLineOf(m));
                }
            }
        }
        for (String address : addresses) {
            table.nodeAgent(address).ifPresent(hit::add);
            for (ProcessHandle server : table.postgresServers(address)) {
                hit.add(server);
                hit.addAll(table.descendants(server));
            }
        }
        struckAt = System.currentTimeMillis();
        if (kind == Kind.POWER_OFF) {
            hit.forEach(ProcessHandle::destroyForcibly);
            for (ProcessHandle p : hit) {
                try {
                    p.onExit().get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException("Process " + p.pid() + " survived SIGKILL.", e);
                }
            }
        } else {
            signal("-STOP");
        }
        return hit.size();
    }

    /** When the signals of the last {@link #apply()} went out (wall clock, ms). */
    public long struckAtMillis() {
        return struckAt;
    }

    /**
     * Undoes a freeze (SIGCONT). A power-off is undone by restarting the node agents, which the caller does, and the
     * managers it killed, which this does with their own command lines (in their own session, logging to their home).
     */
    public void restore() {
        if (kind == Kind.FREEZE) {
            signal("-CONT");
            return;
        }
        for (List<String> command : managersKilled) {
            List<String> line = new ArrayList<>();
            if (java.nio.file.Files.isExecutable(java.nio.file.Path.of("/usr/bin/setsid"))) {
                line.add("/usr/bin/setsid");
            }
            line.addAll(command);
            int home = command.indexOf("--home");
            int member = command.indexOf("--member");
            try {
                ProcessBuilder pb = new ProcessBuilder(line).redirectErrorStream(true)
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
                if (home >= 0 && home + 1 < command.size() && member >= 0 && member + 1 < command.size()) {
                    var agentHome = new org.idcguard.agent.home.AgentHome(java.nio.file.Path.of(command.get(home + 1)));
                    String logName = "manager-" + command.get(member + 1);
                    java.nio.file.Files.createDirectories(agentHome.logsDir());
                    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(agentHome.logsDir().resolve(logName + ".log").toFile()));
                    // demo down stops it by PID, as it would have the one the power-off killed
                    agentHome.recordDemoProcess(pb.start().toHandle(), logName);
                } else {
                    pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
                    pb.start();
                }
            } catch (IOException e) {
                throw new IllegalStateException("Cannot start the manager again: " + e.getMessage(), e);
            }
        }
        managersKilled.clear();
    }

    public Kind kind() {
        return kind;
    }

    private void signal(String signal) {
        if (hit.isEmpty()) {
            return;
        }
        List<String> command = new ArrayList<>(List.of("kill", signal));
        hit.forEach(p -> command.add(Long.toString(p.pid())));
        try {
            Process kill = new ProcessBuilder(command).redirectErrorStream(true).start();
            kill.getInputStream().readAllBytes();
            kill.waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot send " + signal + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The node agent serving this address: an IDC Guard process started with {@code node --address <address>}. */
    public static Optional<ProcessHandle> nodeAgent(String address) {
        return ProcessTable.read().nodeAgent(address);
    }
}
