package org.idcguard.agent.manager.alert;

import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.idcguard.model.Alert;
import org.idcguard.agent.http.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives each new alert to the configured command (run with {@code sh -c}, the alert as JSON on stdin), one at a time
 * and in order, after the transaction that raised it committed. Alerts raised while the manager was down are not
 * replayed at start: the console's alert list has them, and a pager flooded with old news helps nobody.
 */
public final class AlertForwarder implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AlertForwarder.class);
    private static final long COMMAND_LIMIT_SECONDS = 10;
    private final AlertStore alerts;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "alert-forwarder");
        t.setDaemon(true);
        return t;
    });
    private long forwarded;

    public AlertForwarder(AlertStore alerts) {
        this.alerts = alerts;
    }

    public void start(long periodMillis) {
        forwarded = alerts.newestId();
        timer.scheduleWithFixedDelay(this::forwardNewSafely, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    private void forwardNewSafely() {
        try {
            List<Alert> fresh = alerts.after(forwarded);
            String command = fresh.isEmpty() ? null : alerts.settings().command(); // read only when there is news
            for (Alert a : fresh) {
                if (command != null) {
                    run(command, a);
                }
                forwarded = a.id();
            }
        } catch (RuntimeException e) {
            log.warn("Forwarding alerts failed: {}", e.getMessage());
        }
    }

    private static void run(String command, Alert alert) {
        try {
            Process p = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(Json.MAPPER.writeValueAsBytes(alert));
            }
            if (!p.waitFor(COMMAND_LIMIT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                log.warn("The alert command did not finish within {} s for alert {}; it was stopped.", COMMAND_LIMIT_SECONDS, alert.id());
            } else if (p.exitValue() != 0) {
                log.warn("The alert command exited with {} for alert {}.", p.exitValue(), alert.id());
            }
        } catch (java.io.IOException e) {
            log.warn("The alert command could not be run for alert {}: {}", alert.id(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
