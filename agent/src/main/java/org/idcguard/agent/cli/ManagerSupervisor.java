package org.idcguard.agent.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.idcguard.agent.manager.quorum.ManagerQuorum;

/**
 * Runs a quorum member's manager as a child process and starts it again when it ends because it no longer leads
 * ({@link ManagerQuorum#EXIT_DEPOSED}) or dies after running a while, as a service manager would. A deposed manager
 * stops at once by ending its process, so nothing it had in flight goes on, and comes back as a follower. The child
 * ends too when this supervisor dies (its stdin closes).
 */
final class ManagerSupervisor {
    static final String CHILD = "IDCGUARD_MANAGER_CHILD";
    /** A manager that fails sooner than this after its start would fail again (bad address, port taken): not restarted. */
    private static final long RAN_A_WHILE_MILLIS = 10_000;
    private volatile Process child;
    private volatile boolean stopping;

    static boolean isChild() {
        return "1".equals(System.getenv(CHILD));
    }

    int run(List<String> args) throws InterruptedException {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping = true;
            Process p = child;
            if (p != null) {
                p.destroy();
                try {
                    p.waitFor();
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            }
        }, "manager-supervisor-shutdown"));
        while (true) {
            long started = System.currentTimeMillis();
            child = start(args);
            int code = child.waitFor();
            boolean ranAWhile = System.currentTimeMillis() - started > RAN_A_WHILE_MILLIS;
            if (stopping || code == 0 || code == ManagerQuorum.EXIT_SUPERSEDED || (code != ManagerQuorum.EXIT_DEPOSED && !ranAWhile)) {
                return code;
            }
            System.out.println(code == ManagerQuorum.EXIT_DEPOSED
                    ? "The manager stopped because it no longer leads; it starts again as a follower."
                    : "The manager ended with status " + code + "; it starts again as a follower.");
            Thread.sleep(500);
        }
    }

    private static Process start(List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(IdcGuardCli.class.getName());
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.INHERIT).redirectInput(ProcessBuilder.Redirect.PIPE);
        pb.environment().put(CHILD, "1");
        try {
            return pb.start();
        } catch (IOException e) {
            throw new CliFailure("Cannot start the manager: " + e.getMessage() + ".");
        }
    }

    /**
     * The manager runs with its supervisor's -X options (heap, compiler, collector), so they are tuned in one place;
     * debuggers, agents and recordings, which would clash over ports and files, stay with the supervisor.
     */
    static List<String> jvmOptions(List<String> supervisor) {
        List<String> options = new ArrayList<>(supervisor.stream().filter(a -> a.startsWith("-X") && !a.startsWith("-Xrun")
                && !a.startsWith("-Xdebug") && !a.contains("FlightRecord")).toList());
        if (options.stream().noneMatch(a -> a.startsWith("-Xmx"))) {
            options.add(0, "-Xmx256m");
        }
        return options;
    }

    /** In the child: ends the process as soon as the supervisor is gone (its end of stdin closes). */
    static void endWithSupervisor() {
        Thread watch = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // the supervisor never writes; a read returns only at its end
                }
            } catch (IOException ignored) {
                // closed: same as the end
            }
            Runtime.getRuntime().halt(1);
        }, "supervisor-watch");
        watch.setDaemon(true);
        watch.start();
    }
}
