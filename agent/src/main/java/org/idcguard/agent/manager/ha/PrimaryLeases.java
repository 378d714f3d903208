package org.idcguard.agent.manager.ha;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.idcguard.agent.manager.MetadataStore;
import org.idcguard.agent.manager.NodeAgentClient;
import org.idcguard.agent.manager.cluster.ClusterRecord;
import org.idcguard.agent.manager.cluster.ClusterRepository;
import org.idcguard.agent.manager.cluster.NodeRecord;
import org.idcguard.model.HaSettings;
import org.idcguard.model.RoleLease;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells every node agent which of its instances the manager records as primaries, so that its {@code /primary}
 * health check (HAProxy's) follows the record and not PostgreSQL's own belief. A lease is renewed every probe interval
 * and holds for the failure window: a primary the manager can no longer reach loses it by the time anyone else could be
 * promoted. A change of the record (a failover, a switch, a promotion) is sent within {@link #POLL_MILLIS}, so HAProxy
 * sees the new primary at its next check.
 */
final class PrimaryLeases implements AutoCloseable {
    static final long POLL_MILLIS = 100;
    private static final Logger log = LoggerFactory.getLogger(PrimaryLeases.class);
    private final MetadataStore store;
    private final NodeAgentClient agents;
    private final HaSettingsStore settings;
    private final ClusterRepository clusters = new ClusterRepository();
    private final Map<String, List<String>> sent = new HashMap<>();
    private long sentAtMillis;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(HaLoop.daemon("primary-leases"));

    PrimaryLeases(MetadataStore store, NodeAgentClient agents, HaSettingsStore settings) {
        this.store = store;
        this.agents = agents;
        this.settings = settings;
    }

    void start() {
        timer.scheduleWithFixedDelay(this::renewSafely, 0, POLL_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void renewSafely() {
        try {
            renew();
        } catch (RuntimeException e) {
            log.debug("Renewing the primaries' leases failed: {}", e.getMessage());
        }
    }

    private void renew() {
        HaSettings s = settings.current();
        Map<String, List<String>> witnesses = new HashMap<>();
        Map<String, List<String>> primaries = recordedPrimaries(witnesses);
        long now = System.currentTimeMillis();
        if (primaries.equals(sent) && now - sentAtMillis < s.probeIntervalMillis()) {
            return;
        }
        for (Map.Entry<String, List<String>> e : primaries.entrySet()) {
            Map<String, List<String>> theirs = new HashMap<>();
            e.getValue().forEach(p -> theirs.put(p, witnesses.getOrDefault(p, List.of())));
            agents.grantRoles(e.getKey(), new RoleLease(now, s.failureWindowMillis(), e.getValue(), theirs))
                    .exceptionally(error -> null);
        }
        sent.clear();
        sent.putAll(primaries);
        sentAtMillis = now;
    }

    /**
     * Per node agent endpoint, the instances on it recorded as primaries (an empty list for a computer with none); and,
     * into {@code witnesses}, per primary in the main city, the DR-city standbys of its group (see {@link RoleLease}).
     */
    private Map<String, List<String>> recordedPrimaries(Map<String, List<String>> witnesses) {
        return store.inTransaction(c -> {
            Map<String, List<String>> byAgent = new HashMap<>();
            for (ClusterRecord r : clusters.all(c)) {
                List<NodeRecord> nodes = clusters.nodes(c, r.name());
                for (NodeRecord n : nodes) {
                    if (n.isPrimary() && !r.isDr(n.idc())) {
                        witnesses.put(n.name(), nodes.stream().filter(m -> m.group().equals(n.group()) && r.isDr(m.idc())
                                && !m.dataDir().isEmpty()).map(NodeRecord::name).sorted().toList());
                    }
                }
                for (NodeRecord n : nodes) {
                    List<String> names = byAgent.computeIfAbsent(n.agentEndpoint(), k -> new ArrayList<>());
                    if (n.isPrimary() && !n.dataDir().isEmpty()) {
                        names.add(n.name());
                    }
                }
            }
            return byAgent;
        });
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
