package org.idcguard.agent.cli;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.idcguard.agent.home.AgentHome;

/**
 * Starts agent processes of this installation in the background and stops them again by PID.
 * Every PID started is appended to the home's pid file before anything else happens, so that
 * {@code demo down} can stop it even if the command that started it died.
 */
final class LocalProcesses {
    private static final String MAIN = IdcGuardCli.class.getName();
    private final AgentHome home;

    LocalProcesses(AgentHome home) {
        this.home = home;
    }

    /** Starts {@code idcguard <args>} detached from this process, logging to logs/<logName>.log. */
    Process start(String logName, String... args) {
        return start(logName, List.of(), args);
    }

    /**
     * The same, run through a prefix that execs it (e.g. {@code ip netns exec NS}), so the PID recorded is still the
     * agent's own.
     */
    Process start(String logName, List<String> prefix, String... args) {
        try {
            Files.createDirectories(home.logsDir());
            List<String> command = new ArrayList<>();
            if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
                command.add("/usr/bin/setsid"); // its own session: a Ctrl-C meant for the caller does not reach it
            }
            command.addAll(prefix);
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.add("-Xmx256m");
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(MAIN);
            command.addAll(List.of(args));
            File log = home.logsDir().resolve(logName + ".log").toFile();
            Process p = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log))
                    .redirectErrorStream(true)
                    .start();
            home.recordDemoProcess(p.toHandle(), logName);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start " + logName + ": " + e.getMessage(), e);
        }
    }

    /** The last line a process started here wrote to its log: why it stopped, usually. */
    String lastLogLine(String logName) {
        try {
            List<String> lines = Files.readAllLines(home.logsDir().resolve(logName + ".log"));
            return lines.isEmpty() ? "no output" : lines.get(lines.size() - 1).strip();
        } catch (IOException e) {
            return "no log";
        }
    }

    /** SIGKILLs the processes started under this log name (no shutdown hook runs); returns how many were running. */
    int kill(String logName) {
        List<ProcessHandle> running = running(logName);
        running.forEach(ProcessHandle::destroyForcibly);
        running.forEach(p -> p.onExit().join());
        return running.size();
    }

    /** Whether a process started under this log name still runs. */
    boolean isRunning(String logName) {
        return !running(logName).isEmpty();
    }

    private List<ProcessHandle> running(String logName) {
        Path file = home.demoPidsFile();
        List<ProcessHandle> running = new ArrayList<>();
        if (!Files.exists(file)) {
            return running;
        }
        try {
            for (String line : Files.readAllLines(file)) {
                String[] parts = line.strip().split(" ");
                if (parts.length >= 2 && parts[1].equals(logName)) {
                    ours(line).ifPresent(running::add);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
        }
        return running;
    }

    /** Stops the processes started under this log name (e.g. "manager"); returns how many were running. */
    int stop(String logName) {
        List<ProcessHandle> running = running(logName);
        running.forEach(ProcessHandle::destroy);
        for (ProcessHandle p : running) {
            try {
                p.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
            }
        }
        return running.size();
    }

    /** Stops every process in the pid file (TERM, then KILL after 10 s) and removes the file; returns how many were running. */
    int stopAll() {
        Path file = home.demoPidsFile();
        if (!Files.exists(file)) {
            return 0;
        }
        List<ProcessHandle> running = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file)) {
                ours(line).ifPresent(running::add);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
        }
        running.forEach(ProcessHandle::destroy);
        for (ProcessHandle p : running) {
            try {
                p.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
            }
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return running.size();
    }

    /**
     * Whether the process's full command line names our main class (read from /proc: the JDK's view of a command
     * line is cut short, and ours carries a long class path before the class name). Unknown counts as ours.
     */
    private static boolean runsOurMain(ProcessHandle p) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline")),
                    java.nio.charset.StandardCharsets.UTF_8).contains(MAIN);
        } catch (IOException e) {
            return p.info().commandLine().map(c -> c.contains(MAIN)).orElse(true);
        }
    }

    /** The live process of a pid-file line, if it is still one of ours (a PID may have been reused since). */
    private static Optional<ProcessHandle> ours(String line) {
        String[] parts = line.strip().split(" ");
        try {
            long started = parts.length >= 3 ? Long.parseLong(parts[2]) : 0;
            return ProcessHandle.of(Long.parseLong(parts[0]))
                    .filter(ProcessHandle::isAlive)
                    .filter(p -> started == 0 || p.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(started) == started)
                    .filter(LocalProcesses::runsOurMain);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
