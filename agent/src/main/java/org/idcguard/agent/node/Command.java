package org.idcguard.agent.node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs an external program to completion; a failure carries the program's last words. */
final class Command {
    private Command() {
    }

    /** @param what the program's name as the DBA knows it, for the failure sentence */
    static String run(String what, List<String> command, Map<String, String> env, Duration timeout) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().putAll(env);
            Process p = pb.start();
            // Read output on this thread; programs here print little, and pg_ctl's server output goes to its log file.
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new CommandFailed(what + " did not finish within " + timeout.toSeconds() + " s.");
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new CommandFailed(what + " failed (exit " + p.exitValue() + "): " + lastLines(text));
            }
            return text;
        } catch (IOException e) {
            throw new CommandFailed("Cannot run " + what + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandFailed(what + " was interrupted.");
        }
    }

    /** The error lines of a program's output (or a server log) when there are some, else its last lines. */
    static String lastLines(String text) {
        List<String> lines = text.strip().lines().toList();
        List<String> errors = lines.stream().filter(l -> l.contains("error:") || l.contains("FATAL:")).toList();
        List<String> chosen = errors.isEmpty() ? lines : errors;
        return String.join(" ", chosen.subList(Math.max(0, chosen.size() - 3), chosen.size())).strip();
    }

    /** An external program that failed; the message says which and why. */
    static final class CommandFailed extends RuntimeException {
        CommandFailed(String message) {
            super(message);
        }
    }
}
