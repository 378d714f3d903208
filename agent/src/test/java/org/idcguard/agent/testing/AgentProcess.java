package org.idcguard.agent.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.idcguard.agent.cli.IdcGuardCli;

/** A manager or node agent run as a real separate process, as the launcher runs it, so tests can SIGKILL it. */
public final class AgentProcess implements AutoCloseable {
    private final Process process;
    private final File log;

    private AgentProcess(Process process, File log) {
        this.process = process;
        this.log = log;
    }

    /** The last lines the process wrote, for a failure message. */
    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log.toPath());
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    public static AgentProcess start(Path home, String... args) {
        return start(home, java.util.Map.of(), args);
    }

    /** Starts with extra environment variables, e.g. to hide PostgreSQL from a node agent. */
    public static AgentProcess start(Path home, java.util.Map<String, String> env, String... args) {
        return start(home, env, List.of(), args);
    }

    /** The same through a prefix that execs it (so the process is still the agent itself), e.g. into a cgroup. */
    public static AgentProcess start(Path home, java.util.Map<String, String> env, List<String> prefix, String... args) {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx192m"));
        if (args.length > 0 && args[0].equals("node")) {
            // the suite runs four to eight node agents per estate on two cores, mostly idle: C1 only and the serial
            // collector leave the CPU to PostgreSQL and the manager instead of to C2. Managers keep the JVM's defaults:
            // C2 is 40 % of a test manager's CPU, yet with C1 alone the HA tests ran 15 % longer (its slower code
            // answers the tests' and the node agents' calls later).
            command.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), IdcGuardCli.class.getName()));
        command.addAll(List.of(args));
        command.add("--home");
        command.add(home.toString());
        try {
            Files.createDirectories(home);
            File log = home.resolve(args[0] + "-" + System.nanoTime() + ".log").toFile();
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log);
            pb.environment().putAll(env);
            return new AgentProcess(pb.start(), log);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Starts a manager on a free port and waits until it has written manager.url. */
    public static AgentProcess manager(Path home) {
        return manager(home, java.util.Map.of());
    }

    public static AgentProcess manager(Path home, java.util.Map<String, String> env) {
        try {
            Files.deleteIfExists(home.resolve("manager.url"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        AgentProcess p = start(home, env, "manager", "--port", "0");
        try {
            Waits.until(Duration.ofSeconds(30), "the manager writes manager.url", () -> Files.exists(home.resolve("manager.url")));
        } catch (AssertionError timedOut) {
            throw new AssertionError(timedOut.getMessage() + "; the manager " + (p.isAlive() ? "runs" : "exited")
                    + ", its log ends: " + p.logTail(), timedOut);
        }
        return p;
    }

    /** The exit code once the process has ended within the time, else -1 (it is still running). */
    public int exitCode(Duration within) {
        try {
            return process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL: no shutdown hook runs. */
    public void kill() {
        process.destroyForcibly();
        waitForExit();
    }

    @Override
    public void close() {
        process.destroy();
        waitForExit();
    }

    private void waitForExit() {
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
