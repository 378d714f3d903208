package org.idcguard.agent.drill;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

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

    /** Applies the fault; returns how many processes it hit. */
    public int apply() {
        hit.clear();
        for (String address : addresses) {
            nodeAgent(address).ifPresent(hit::add);
            postgresServers(address).forEach(p -> {
                hit.add(p);
                p.descendants().forEach(hit::add);
            });
        }
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
        return ProcessHandle.allProcesses().filter(p -> {
            List<String> args = commandLine(p);
            int i = args.indexOf("--address");
            return args.contains("node") && i >= 0 && i + 1 < args.size() && args.get(i + 1).equals(address)
                    && args.stream().anyMatch(a -> a.endsWith("IdcGuardCli"));
        }).findFirst();
    }

    /**
     * A process's command line as /proc has it: the program, then its arguments. ProcessHandle.Info may leave the
     * arguments out (it gives up on long command lines and under load), and a fault that misses a node agent is no
     * fault: the agent would restart what was killed.
     */
    static List<String> commandLine(ProcessHandle p) {
        try {
            String raw = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(p.pid()), "cmdline"));
            return List.of(raw.split("\0"));
        } catch (IOException | RuntimeException gone) {
            List<String> line = new ArrayList<>();
            line.add(p.info().command().orElse(""));
            p.info().arguments().ifPresent(a -> line.addAll(List.of(a)));
            return line;
        }
    }

    /** PostgreSQL servers whose data directory lies in this address's instance folder. */
    static Stream<ProcessHandle> postgresServers(String address) {
        String marker = "/" + address + "/";
        return ProcessHandle.allProcesses()
                .filter(p -> {
                    List<String> args = commandLine(p);
                    int d = args.indexOf("-D");
                    return !args.isEmpty() && args.get(0).endsWith("/postgres") && d >= 0 && d + 1 < args.size()
                            && args.get(d + 1).contains(marker);
                });
    }
}
