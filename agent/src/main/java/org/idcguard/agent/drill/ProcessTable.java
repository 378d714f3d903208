package org.idcguard.agent.drill;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The local process table read once: each process's command line and parent. A fault on an IDC of 34 instances finds
 * a few hundred processes; reading /proc once for all of them keeps the search short, so the fault lands at one moment.
 * Command lines come from /proc because ProcessHandle.Info may leave the arguments out (it gives up on long command
 * lines and under load), and a fault that misses a node agent is no fault: the agent would restart what was killed.
 */
final class ProcessTable {
    private final Map<Long, ProcessHandle> handles = new HashMap<>();
    private final Map<Long, List<String>> commandLines = new HashMap<>();
    private final Map<Long, List<Long>> children = new HashMap<>();

    private ProcessTable() {
    }

    static ProcessTable read() {
        ProcessTable t = new ProcessTable();
        ProcessHandle.allProcesses().forEach(p -> {
            t.handles.put(p.pid(), p);
            t.commandLines.put(p.pid(), commandLine(p));
            p.parent().ifPresent(parent -> t.children.computeIfAbsent(parent.pid(), k -> new ArrayList<>()).add(p.pid()));
        });
        return t;
    }

    /** The node agent serving this address: an IDC Guard process started with {@code node --address <address>}. */
    Optional<ProcessHandle> nodeAgent(String address) {
        return handles.values().stream().filter(p -> {
            List<String> args = commandLines.get(p.pid());
            int i = args.indexOf("--address");
            return args.contains("node") && i >= 0 && i + 1 < args.size() && args.get(i + 1).equals(address)
                    && args.stream().anyMatch(a -> a.endsWith("IdcGuardCli"));
        }).findFirst();
    }

    /**
     * The managers of a quorum that run in this IDC: IDC Guard processes started with {@code manager ... --idc <idc>},
     * both each member's supervisor and the manager it runs.
     */
    List<ProcessHandle> managersIn(String idc, Path home) {
        return handles.values().stream().filter(p -> {
            List<String> args = commandLines.get(p.pid());
            return args.contains("manager") && follows(args, "--idc", idc) && follows(args, "--home", home.toString())
                    && args.stream().anyMatch(a -> a.endsWith("IdcGuardCli"));
        }).toList();
    }

    private static boolean follows(List<String> args, String option, String value) {
        int i = args.indexOf(option);
        return i >= 0 && i + 1 < args.size() && args.get(i + 1).equals(value);
    }

    List<String> commandLineOf(ProcessHandle p) {
        return commandLines.getOrDefault(p.pid(), List.of());
    }

    /** PostgreSQL servers (postmasters) whose data directory lies in this address's instance folder. */
    List<ProcessHandle> postgresServers(String address) {
        String marker = "/" + address + "/";
        return handles.values().stream().filter(p -> {
            List<String> args = commandLines.get(p.pid());
            int d = args.indexOf("-D");
            return !args.isEmpty() && args.get(0).endsWith("/postgres") && d >= 0 && d + 1 < args.size()
                    && args.get(d + 1).contains(marker);
        }).toList();
    }

    /** Every process below this one (a postmaster's backends, walsenders, walreceiver and helpers). */
    List<ProcessHandle> descendants(ProcessHandle root) {
        List<ProcessHandle> found = new ArrayList<>();
        List<Long> todo = new ArrayList<>(children.getOrDefault(root.pid(), List.of()));
        while (!todo.isEmpty()) {
            long pid = todo.remove(todo.size() - 1);
            Optional.ofNullable(handles.get(pid)).ifPresent(found::add);
            todo.addAll(children.getOrDefault(pid, List.of()));
        }
        return found;
    }

    private static List<String> commandLine(ProcessHandle p) {
        try {
            String raw = Files.readString(Path.of("/proc", Long.toString(p.pid()), "cmdline"));
            return List.of(raw.split("\0"));
        } catch (IOException | RuntimeException gone) {
            List<String> line = new ArrayList<>();
            line.add(p.info().command().orElse(""));
            p.info().arguments().ifPresent(a -> line.addAll(List.of(a)));
            return line;
        }
    }
}
