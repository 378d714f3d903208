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
    private final List<ProcessHandle> hit = new ArrayList<>();
    private volatile long struckAt; // read by whoever follows the drill while apply() still waits for the processes to end

    public IdcFault(Kind kind, List<String> addresses) {
        this.kind = kind;
        this.addresses = List.copyOf(addresses);
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
        ProcessTable table = ProcessTable.read();
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

    /** Undoes a freeze (SIGCONT). A power-off is undone by restarting the node agents, which the caller does. */
    public void restore() {
        if (kind == Kind.FREEZE) {
            signal("-CONT");
        }
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
