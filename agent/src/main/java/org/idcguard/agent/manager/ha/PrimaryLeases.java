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
    /** wal_sender_timeout of every instance ({@code PostgresConfig}). */
    static final long WAL_SENDER_TIMEOUT_MILLIS = 2000;
    /** Allowed between this manager's clock and a node agent's (a lease is issued on the one and read on the other). */
    static final long CLOCK_MARGIN_MILLIS = 1000;
    private static final Logger log = LoggerFactory.getLogger(PrimaryLeases.class);
    private final MetadataStore store;
    private final NodeAgentClient agents;
    private final HaSettingsStore settings;
    private final ClusterRepository clusters = new ClusterRepository();
    private final Map<String, List<String>> sent = new HashMap<>();
    private long sentAtMillis;
    /** The last lease that named each instance, by instance name: how long it may still believe it leads. */
    private final Map<String, RoleLease> lastNaming = new HashMap<>();
    /** The last lease each instance's node agent took, and when (this manager's clock) it answered for it. */
    private final Map<String, RoleLease> lastDelivered = new HashMap<>();
    private final Map<String, Long> deliveredAtMillis = new HashMap<>();
    /** Instances no lease may name any more (a backup-city promotion waits for theirs to run out). */
    private final java.util.Set<String> withheld = new java.util.HashSet<>();
    /**
     * When this manager began issuing leases. A lease a previous manager (or this one before a restart) issued is not
     * known here, but it was issued before this instant and held no longer than a failure window: so a node with no
     * lease known is taken to hold one issued now, which runs out no earlier than any it may really hold.
     */
    private final long startedAtMillis = System.currentTimeMillis();
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

    private synchronized void renew() {
        HaSettings s = settings.current();
        Map<String, List<String>> witnesses = new HashMap<>();
        Map<String, List<String>> primaries = recordedPrimaries(witnesses);
        primaries.values().forEach(names -> names.removeAll(withheld));
        long now = System.currentTimeMillis();
        if (primaries.equals(sent) && now - sentAtMillis < s.probeIntervalMillis()) {
            return;
        }
        for (Map.Entry<String, List<String>> e : primaries.entrySet()) {
            Map<String, List<String>> theirs = new HashMap<>();
            e.getValue().forEach(p -> theirs.put(p, witnesses.getOrDefault(p, List.of())));
            RoleLease lease = new RoleLease(now, s.failureWindowMillis(), e.getValue(), theirs);
            // counted as issued when sent, delivered or not: one read late from a socket still holds until issue + valid
            e.getValue().forEach(name -> lastNaming.put(name, lease));
            agents.grantRoles(e.getKey(), lease).thenRun(() -> delivered(e.getValue(), lease)).exceptionally(error -> null);
        }
        sent.clear();
        sent.putAll(primaries);
        sentAtMillis = now;
    }

    /**
     * The last lease issued that names the instance; for one this manager has named in none, a lease taken to be
     * issued at the manager's start (see {@link #startedAtMillis}), with the failure window now.
     */
    synchronized RoleLease lastIssued(String instance) {
        RoleLease known = lastNaming.get(instance);
        return known != null ? known : new RoleLease(startedAtMillis, settings.current().failureWindowMillis(), List.of(instance));
    }

    /**
     * Until when, on this manager's clock, a main-city primary the manager no longer sees may still acknowledge commits
     * (what it acknowledges from then on the DR city never receives): by the last lease its node agent took from here,
     * or by an extension its node agent grants by itself (the failsafe) while a standby its commits wait for and every
     * DR-city standby of its group still show as streaming on it. A DR standby cut off shows so until the primary's
     * wal_sender_timeout has passed since its last reply, which it sent no later than a keepalive interval (half that
     * timeout) after it last heard from the primary; counted here as two timeouts after {@code drHeardAtMillis}, when the
     * DR city last heard from the group's main city. The last extension then holds one failure window. The probe timeout
     * (the moment heard is read a probe late at most) and a second for the clocks come on top.
     *
     * <p>Leases sent but never taken (the node agent cut off) do not count: only the last one its node agent answered
     * for. A node agent that still answers keeps taking leases; then only the extension counts, since a promotion
     * withholds the leases and asks that node agent whether the primary runs before anything changes.
     */
    synchronized long mayAcknowledgeUntil(String instance, long drHeardAtMillis) {
        HaSettings s = settings.current();
        RoleLease taken = lastDelivered.getOrDefault(instance, new RoleLease(startedAtMillis, s.failureWindowMillis(), List.of(instance)));
        long window = Math.max(taken.validMillis(), s.failureWindowMillis()); // the node agent extends by the window it was given
        long extended = drHeardAtMillis + 2 * WAL_SENDER_TIMEOUT_MILLIS + window + s.probeTimeoutMillis() + CLOCK_MARGIN_MILLIS;
        Long reached = deliveredAtMillis.get(instance);
        if (reached != null && System.currentTimeMillis() - reached < s.failureWindowMillis() + s.probeIntervalMillis()) {
            // its node agent answers: the leases from here are withheld, and the node agent asked, by the promotion itself
            return extended;
        }
        return Math.max(takenRunsOut(instance), extended);
    }

    /**
     * When the last lease the instance's node agent took from here runs out, on this manager's clock with the clocks'
     * margin (for one this manager has delivered none to, a lease taken at the manager's start).
     */
    synchronized long takenRunsOut(String instance) {
        RoleLease taken = lastDelivered.getOrDefault(instance,
                new RoleLease(startedAtMillis, settings.current().failureWindowMillis(), List.of(instance)));
        return taken.issuedAtMillis() + taken.validMillis() + CLOCK_MARGIN_MILLIS;
    }

    private synchronized void delivered(List<String> instances, RoleLease lease) {
        long now = System.currentTimeMillis();
        for (String name : instances) {
            RoleLease known = lastDelivered.get(name);
            if (known == null || known.issuedAtMillis() <= lease.issuedAtMillis()) {
                lastDelivered.put(name, lease);
            }
            deliveredAtMillis.put(name, now);
        }
    }

    /** When this manager began issuing leases: what the DR city heard before it is not known here. */
    long startedAtMillis() {
        return startedAtMillis;
    }

    /**
     * No lease names these instances from now on, though they stay recorded primaries; the next renewal, sent at once,
     * leaves them out. Once this returns no renewal naming them is in flight (renewals hold the same lock), so
     * {@link #lastIssued} is final for them until {@link #release}.
     */
    synchronized void withhold(java.util.Collection<String> instances) {
        withheld.addAll(instances);
        sentAtMillis = 0;
    }

    synchronized void release(java.util.Collection<String> instances) {
        withheld.removeAll(instances);
        sentAtMillis = 0;
    }

    /**
     * Per node agent endpoint, the instances on it recorded as primaries (an empty list for a computer with none); and,
     * into {@code witnesses}, per primary in the main city, the DR-city standbys of its group (see {@link RoleLease}).
     */
    private Map<String, List<String>> recordedPrimaries(Map<String, List<String>> witnesses) {
        return store.inTransaction(c -> {
            Map<String, List<String>> byAgent = new HashMap<>();
            // A DR promotion's old primary gets no lease while the promotion's intent is open, whatever this manager
            // remembers: after a failed step, or in a manager restarted mid-way, the intent may still be rolled forward
            // (its candidate promoted), and a lease renewed meanwhile would let the old primary acknowledge beside it.
            java.util.Set<String> promotedAway = new java.util.HashSet<>();
            for (FailoverIntents.Intent i : new FailoverIntents().unfinished(c)) {
                if (IntentKind.DR.equals(i.kind())) {
                    promotedAway.add(i.oldPrimary());
                }
            }
            for (ClusterRecord r : clusters.all(c)) {
                if (!ClusterRecord.RUNNING.equals(r.status())) {
                    // A cluster being made (or removed) is leased by nobody, as the HA loop tends only running ones: no
                    // application has its address yet, and a lease lapsing under a loaded computer's creation (a DR
                    // standby still catching up is no witness) cut the creation's own sessions and failed it once in CI.
                    continue;
                }
                List<NodeRecord> nodes = clusters.nodes(c, r.name());
                for (NodeRecord n : nodes) {
                    if (n.isPrimary() && !r.isDr(n.idc())) {
                        witnesses.put(n.name(), nodes.stream().filter(m -> m.group().equals(n.group()) && r.isDr(m.idc())
                                && !m.dataDir().isEmpty()).map(NodeRecord::name).sorted().toList());
                    }
                }
                for (NodeRecord n : nodes) {
                    List<String> names = byAgent.computeIfAbsent(n.agentEndpoint(), k -> new ArrayList<>());
                    if (n.isPrimary() && !n.dataDir().isEmpty() && !promotedAway.contains(n.name())) {
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
