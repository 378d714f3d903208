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
            List<String> args = arguments(p);
            int i = args.indexOf("--address");
            return args.contains("node") && i >= 0 && i + 1 < args.size() && args.get(i + 1).equals(address)
                    && args.stream().anyMatch(a -> a.endsWith("IdcGuardCli"));
        }).findFirst();
    }

    /** The program a process runs, as its command line names it (PostgreSQL is started by its full path). */
    static String program(ProcessHandle p) {
        try {
            String raw = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(p.pid()), "cmdline"));
            int end = raw.indexOf('\0');
            return end >= 0 ? raw.substring(0, end) : raw;
        } catch (IOException | RuntimeException gone) {
            return p.info().command().orElse("");
        }
    }

    /**
     * A process's arguments as /proc has them. ProcessHandle.Info may leave them out (it gives up on long command
     * lines and under load), and a fault that misses a node agent is no fault: the agent would restart what was killed.
     */
    static List<String> arguments(ProcessHandle p) {
        try {
            String raw = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(p.pid()), "cmdline"));
            List<String> args = new ArrayList<>(List.of(raw.split("\0")));
            if (!args.isEmpty()) {
                args.remove(0); // the program, as Info.arguments() leaves it out too
            }
            return args;
        } catch (IOException | RuntimeException gone) {
            return p.info().arguments().map(List::of).orElse(List.of());
        }
    }

    /** PostgreSQL servers whose data directory lies in this address's instance folder. */
    static Stream<ProcessHandle> postgresServers(String address) {
        String marker = "/" + address + "/";
        return ProcessHandle.allProcesses()
                .filter(p -> program(p).endsWith("/postgres"))
                .filter(p -> {
                    List<String> args = arguments(p);
                    int d = args.indexOf("-D");
                    return d >= 0 && d + 1 < args.size() && args.get(d + 1).contains(marker);
                });
    }
}
