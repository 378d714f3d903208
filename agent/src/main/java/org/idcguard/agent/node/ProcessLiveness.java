package org.idcguard.agent.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether a process still runs. A postmaster started by pg_ctl is re-parented to PID 1; where PID 1 reaps its
 * children only now and then (containers), an exited postmaster stays a zombie for a second or more, and
 * {@link ProcessHandle#isAlive()} calls a zombie alive. A zombie has exited: its ports and files are released.
 */
final class ProcessLiveness {
    private ProcessLiveness() {
    }

    static boolean running(long pid) {
        if (pid <= 0) {
            return false;
        }
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        try {
            String line = Files.readString(stat);
            // "pid (command) S ...": the state follows the last ')', since the command may contain one.
            int close = line.lastIndexOf(')');
            return close < 0 || close + 2 >= line.length() || line.charAt(close + 2) != 'Z';
        } catch (IOException e) {
            // No /proc entry: gone on Linux; elsewhere ask the JDK.
            return !Files.isDirectory(Path.of("/proc/self")) && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }
    }
}
