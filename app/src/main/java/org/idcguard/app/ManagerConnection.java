package org.idcguard.app;

import org.idcguard.client.HttpManagerApi;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.idcguard.model.ApiException;
import org.idcguard.model.HomeLayout;

/**
 * Finds the manager of the home and connects to it; when none answers, starts the bundled one with the
 * local computers (the embedded default) through the launcher, and stops what it started on exit.
 */
public final class ManagerConnection {
    /** Set by ./idcguard: the launcher that can start the bundled agent. */
    public static final String LAUNCHER_ENV = "IDCGUARD_LAUNCHER";
    private final HomeLayout home;
    private final String launcher;
    private boolean startedBundled;

    public ManagerConnection(HomeLayout home, String launcher) {
        this.home = home;
        this.launcher = launcher;
    }

    /** The launcher named by ./idcguard, else the agent launcher beside this program in an installed image. */
    public static ManagerConnection fromEnvironment() {
        String launcher = System.getenv(LAUNCHER_ENV);
        if (launcher == null || launcher.isBlank()) {
            launcher = ProcessHandle.current().info().command()
                    .map(command -> java.nio.file.Path.of(command).resolveSibling("idcguard-agent"))
                    .filter(java.nio.file.Files::isExecutable)
                    .map(Object::toString).orElse(null);
        }
        return new ManagerConnection(HomeLayout.resolve(null), launcher);
    }

    public HomeLayout home() {
        return home;
    }

    /**
     * Whether a manager answers now, as a client calling with the home's credential: the operator's session kept here,
     * else the home's token (the local admin's, on the manager's own computer), else none (the console asks who is
     * there). Blocks on the network: call off the FX thread.
     */
    public Optional<HttpManagerApi> existing() {
        return leader().map(url -> as(url, home.credential().orElse(null)));
    }

    /** A client of the manager at url calling with this bearer token (null: none yet), following the quorum's leader. */
    public HttpManagerApi as(String url, String bearer) {
        return new HttpManagerApi(url, bearer, org.idcguard.model.ManagerTrust.sslContext(home.caCertificateFile()))
                .followingLeader(this::leader);
    }

    /**
     * The manager of the home that answers as the leader: the one named in manager.url, else (a quorum) the first of
     * manager.urls that leads. Blocks on the network.
     */
    Optional<String> leader() {
        if (!java.nio.file.Files.isRegularFile(home.caCertificateFile())) {
            return Optional.empty();
        }
        var trust = org.idcguard.model.ManagerTrust.sslContext(home.caCertificateFile());
        for (String url : home.managerCandidates()) {
            // health says only who leads, and asks no credential: a workstation not logged in yet finds the leader too
            try (HttpManagerApi api = new HttpManagerApi(url, null, trust)) {
                if ("leader".equals(api.lead())) {
                    return Optional.of(url);
                }
            } catch (org.idcguard.model.ApiException notThere) {
                // the next one
            }
        }
        return Optional.empty();
    }

    /** Connects to the running manager, or starts the bundled one first. Blocks: call off the FX thread. */
    public HttpManagerApi connectOrStart() {
        return existing().orElseGet(() -> {
            startBundled();
            return existing().orElseThrow(() -> new ApiException(0,
                    "The bundled manager was started but does not answer: see the logs in " + home.logsDir() + ".", null));
        });
    }

    public boolean startedBundled() {
        return startedBundled;
    }

    private void startBundled() {
        if (launcher == null || launcher.isBlank()) {
            throw new ApiException(0, "No manager answers for " + home.root()
                    + ": start one with './idcguard manager', or open the console with './idcguard'.", null);
        }
        int exit = runLauncher("demo", "up", "--computers-only");
        startedBundled = true; // even a failed start may have left processes: stop them on exit
        if (exit != 0) {
            throw new ApiException(0, "Starting the bundled manager failed: see " + home.logsDir().resolve("console-launch.log") + ".", null);
        }
    }

    /** Stops the manager and node agents this console started, if it started any. */
    public synchronized void stopBundled() {
        if (startedBundled) {
            runLauncher("demo", "down");
            startedBundled = false;
        }
    }

    private int runLauncher(String... args) {
        try {
            Files.createDirectories(home.logsDir());
            var command = new java.util.ArrayList<String>();
            command.add(launcher);
            command.addAll(java.util.List.of(args));
            command.add("--home");
            command.add(home.root().toString());
            File log = home.logsDir().resolve("console-launch.log").toFile();
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log));
            // A jpackage launcher marks its children with this; the agent launcher, seeing it, would take its
            // settings for the console's and start the wrong main class.
            pb.environment().remove("_JPACKAGE_LAUNCHER");
            Process p = pb.start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (IOException e) {
            throw new ApiException(0, "Cannot run the launcher " + launcher + ": " + e.getMessage() + ".", null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
