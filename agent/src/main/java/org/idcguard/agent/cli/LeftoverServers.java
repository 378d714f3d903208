package org.idcguard.agent.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * PostgreSQL servers still running from an instance folder after their node agent is gone (an instance whose start
 * was under way when the agents were stopped): sent SIGINT, a fast shutdown, and waited for.
 */
final class LeftoverServers {
    private LeftoverServers() {
    }

    static int stop(Path instancesRoot) {
        String marker = instancesRoot.toAbsolutePath() + "/";
        List<ProcessHandle> left = ProcessHandle.allProcesses()
                .filter(p -> p.info().command().map(c -> c.endsWith("/postgres")).orElse(false))
                .filter(p -> p.info().arguments().map(a -> String.join(" ", a).contains(marker)).orElse(false))
                .toList();
        for (ProcessHandle p : left) {
            try {
                new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor(5, TimeUnit.SECONDS);
                p.onExit().get(30, TimeUnit.SECONDS);
            } catch (IOException | InterruptedException | java.util.concurrent.ExecutionException
                     | java.util.concurrent.TimeoutException e) {
                p.destroyForcibly();
            }
        }
        return left.size();
    }
}
