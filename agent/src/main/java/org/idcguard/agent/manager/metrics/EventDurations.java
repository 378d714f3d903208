package org.idcguard.agent.manager.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.idcguard.agent.manager.EventLog;
import org.idcguard.model.Event;

/**
 * Takeovers, planned switches, rejoins and drills as counters and duration histograms, read from the event log: a
 * takeover lasts from {@code failover.started} to {@code failover.done} of the same group, a switch from
 * {@code switch.started} to {@code switch.done} of the same cluster, and a rejoin is the time its
 * {@code node.rejoined} event states. The log is read from where the last scrape stopped, so only committed events
 * count and a restarted manager counts them all again (Prometheus takes that as a counter reset).
 */
final class EventDurations {
    private static final Pattern TOOK = Pattern.compile("\\((\\d+) ms\\)\\.$");
    private final EventLog events;
    private final Histogram takeovers;
    private final Histogram switches;
    private final Histogram rejoins;
    private final Counter drills;
    private final Map<String, Long> started = new HashMap<>();
    private long lastId;

    EventDurations(EventLog events, PrometheusRegistry registry) {
        this.events = events;
        this.takeovers = histogram(registry, "idcguard_takeover_duration_seconds",
                "Automatic takeovers of a group: from the decision (failover.started) to the new primary (failover.done).");
        this.switches = histogram(registry, "idcguard_switch_duration_seconds",
                "Planned IDC switches of a cluster: from switch.started to switch.done.");
        this.rejoins = histogram(registry, "idcguard_rejoin_duration_seconds",
                "Rejoins of a former primary: rewind (or base backup) and restart as a standby.");
        this.drills = Counter.builder().name("idcguard_drills_total").help("Drills reported, by result.")
                .labelNames("cluster", "result").register(registry);
    }

    private static Histogram histogram(PrometheusRegistry registry, String name, String help) {
        return Histogram.builder().name(name).help(help).classicOnly()
                .classicUpperBounds(0.25, 0.5, 1, 1.5, 2, 3, 5, 10, 30, 60, 120, 300).register(registry);
    }

    /** Takes in the events recorded since the last call. */
    synchronized void catchUp() {
        List<Event> batch;
        do {
            batch = events.after(lastId, 1000);
            batch.forEach(this::take);
            if (!batch.isEmpty()) {
                lastId = batch.get(batch.size() - 1).id();
            }
        } while (batch.size() == 1000);
    }

    private void take(Event e) {
        switch (e.kind()) {
            case "failover.started", "switch.started" -> started.put(e.kind() + "|" + e.subject(), e.timeMillis());
            case "failover.done" -> observe(takeovers, "failover.started|" + e.subject(), e.timeMillis());
            case "switch.done" -> observe(switches, "switch.started|" + e.subject(), e.timeMillis());
            case "node.rejoined" -> {
                Matcher m = TOOK.matcher(e.message());
                if (m.find()) {
                    rejoins.observe(Long.parseLong(m.group(1)) / 1000.0);
                }
            }
            case "drill.done", "drill.failed" -> drills.labelValues(e.subject(), e.kind().equals("drill.done") ? "passed" : "failed").inc();
            default -> {
                // not measured
            }
        }
    }

    private void observe(Histogram histogram, String key, long endMillis) {
        Long from = started.remove(key);
        if (from != null) {
            histogram.observe((endMillis - from) / 1000.0);
        }
    }
}
