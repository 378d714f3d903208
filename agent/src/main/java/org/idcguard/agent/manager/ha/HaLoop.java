package org.idcguard.agent.manager.ha;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.idcguard.agent.manager.EventLog;
import org.idcguard.agent.manager.MetadataStore;
import org.idcguard.agent.manager.NodeAgentClient;
import org.idcguard.agent.manager.cluster.ClusterRecord;
import org.idcguard.agent.manager.cluster.ClusterRepository;
import org.idcguard.agent.manager.cluster.GroupRecord;
import org.idcguard.agent.manager.cluster.NodeRecord;
import org.idcguard.agent.manager.cluster.ObservedNode;
import org.idcguard.model.HaSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The manager's HA loop, one tick per probe interval: observe ({@link NodeObserver} probes every node), decide
 * ({@link HaDecision}, a pure function per group), act ({@link HaActions}), then the cluster-wide bookkeeping
 * ({@link ClusterBookkeeping}). Intents a previous manager left are resolved by the first ticks like any other.
 */
public final class HaLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HaLoop.class);
    private final MetadataStore store;
    private final HaSettingsStore settings;
    private final ClusterRepository clusters = new ClusterRepository();
    private final FailoverIntents intents = new FailoverIntents();
    private final PrimaryLeases leases;
    private final Thread loop = new Thread(this::run, "ha-loop");
    private final ActionSessions sessions = new ActionSessions();
    private final NodeObserver observer = new NodeObserver(sessions);
    private final HaActions actions;
    private final ClusterBookkeeping bookkeeping;
    private final DrWatch dr;
    private final RestorePoints restorePoints;
    private volatile boolean running = true;

    public HaLoop(MetadataStore store, EventLog events, NodeAgentClient agents, HaSettingsStore settings, DrSettingsStore drSettings) {
        this.store = store;
        this.settings = settings;
        this.actions = new HaActions(store, events, agents, sessions);
        this.bookkeeping = new ClusterBookkeeping(store, events, actions);
        this.restorePoints = new RestorePoints(store);
        this.leases = new PrimaryLeases(store, agents, settings);
        org.idcguard.agent.manager.IdcRepository idcs = new org.idcguard.agent.manager.IdcRepository();
        this.dr = new DrWatch(events, drSettings, restorePoints, idc -> store.inTransaction(c -> idcs.find(c, idc))
                .map(i -> " (city " + i.city() + ")").orElse(""), leases);
    }

    public void start() {
        loop.setDaemon(true);
        loop.start();
        leases.start();
    }

    private void run() {
        while (running) {
            long tickStart = System.currentTimeMillis();
            HaSettings s = settings.current();
            try {
                tick(s, tickStart);
            } catch (RuntimeException e) {
                log.warn("HA tick failed: {}", e.getMessage(), e);
            }
            long rest = tickStart + s.probeIntervalMillis() - System.currentTimeMillis();
            if (rest > 0) {
                sleep(rest);
            }
        }
    }

    private void tick(HaSettings s, long tickStart) {
        observer.observe(readRecord(), s, tickStart);
        // Decide on the record as it is now, not as it was before the probes: an action may have ended meanwhile.
        List<ClusterView> views = readRecord();
        Map<String, FailoverIntents.Intent> open = store.inTransaction(intents::unfinished).stream()
                .collect(Collectors.toMap(i -> i.cluster() + "/" + i.group(), i -> i, (a, b) -> a));
        long now = System.currentTimeMillis();
        for (ClusterView v : views) {
            Optional<Map<String, NodeState>> seen = observer.states(v, s);
            if (seen.isEmpty()) {
                continue; // a cluster that appeared since the probes were sent: next tick
            }
            Map<String, NodeState> states = seen.get();
            Set<String> downIdcs = bookkeeping.downIdcs(v, states);
            for (GroupRecord g : v.groups()) {
                if (actions.busy(HaLock.group(v.cluster().name(), g.name()))) {
                    continue;
                }
                List<NodeState> members = v.nodes().stream().filter(n -> n.group().equals(g.name())).map(n -> states.get(n.name())).toList();
                GroupFacts facts = new GroupFacts(v.cluster(), g, members, downIdcs, s, now,
                        Optional.ofNullable(open.get(v.cluster().name() + "/" + g.name())), observer.linger(members, now));
                actions.act(facts, HaDecision.decide(facts));
            }
            bookkeeping.afterGroups(v, states);
            dr.observe(v, states, downIdcs, now);
        }
    }

    private List<ClusterView> readRecord() {
        return store.inTransaction(c -> {
            List<ClusterView> all = new ArrayList<>();
            for (ClusterRecord r : clusters.all(c)) {
                if (ClusterRecord.RUNNING.equals(r.status())) {
                    // a node not yet built (a DR standby being copied: no data directory yet) is its task's, not the loop's
                    all.add(new ClusterView(r, clusters.groups(c, r.name()), clusters.nodes(c, r.name()).stream()
                            .filter(n -> !n.dataDir().isEmpty()).toList()));
                }
            }
            return all;
        });
    }

    /** A failover or switch begun and not ended, as the API shows it. */
    public record OpenIntent(long id, String kind, String cluster, String group, String oldPrimary, String candidate, String step,
                             String reason) {
    }

    /** What the manager is in the middle of: intents recorded and not yet ended (resolved by the next ticks). */
    public List<OpenIntent> openIntents() {
        return store.inTransaction(intents::unfinished).stream().map(i -> new OpenIntent(i.id(), i.kind().stored(), i.cluster(), i.group(),
                i.oldPrimary(), i.candidate(), i.step().stored(), i.reason())).toList();
    }

    /** A node as the last tick saw it, in the cluster detail's words; empty before the loop has probed it. */
    public Optional<ObservedNode> observed(String node) {
        return observer.observed(node);
    }

    /** Each node's probing, for the metrics. */
    public Map<String, ProbeStats> probeStats() {
        return observer.probeStats();
    }

    /** The primaries' leases, for a backup-city promotion that must wait for the main city's to run out. */
    PrimaryLeases leases() {
        return leases;
    }

    /** The failure window now: how long a lease holds. */
    long failureWindowMillis() {
        return settings.current().failureWindowMillis();
    }

    /** A cluster's common restore points, newest first. */
    List<RestorePoints.Point> restorePoints(String cluster) {
        return restorePoints.points(cluster);
    }

    /**
     * Until when a main-city primary the manager no longer reaches may still acknowledge commits, by its last lease and
     * the failsafe extension its node agent may grant while the DR city still seemed to stream from it.
     */
    long mayAcknowledgeUntil(String cluster, NodeRecord primary) {
        return leases.mayAcknowledgeUntil(primary.name(), dr.heardFromMainCity(cluster, primary.group()));
    }

    /** When a DR standby of the group last heard from the main city (see {@link DrWatch#heardFromMainCity}). */
    long drHeardFromMainCity(String cluster, String group) {
        return dr.heardFromMainCity(cluster, group);
    }

    /** A cluster's DR city as the last tick saw it. */
    Optional<DrWatch.Snapshot> drSnapshot(String cluster) {
        return dr.latest(cluster);
    }

    /** Each node as the last tick saw it (for a planned switch's preflight). */
    /** See {@link NodeObserver#leaseEnforcedWhenLastSeen}. */
    boolean leaseEnforcedWhenLastSeen(String node) {
        return observer.leaseEnforcedWhenLastSeen(node);
    }

    public Optional<NodeState> latest(String node) {
        return observer.latest(node);
    }

    /**
     * Runs work on a group while the loop keeps its hands off it (no failover, no sync-set change), waiting up to
     * 10 s for an action already running on it to end.
     */
    public <T> T exclusive(String cluster, String group, java.util.concurrent.Callable<T> work) throws Exception {
        return actions.exclusive(cluster, group, work);
    }

    /** After primaries moved by other means than a failover: point the coordinator at them on the next tick. */
    public void primariesMoved(String cluster) {
        actions.routingStale.add(cluster);
    }

    /**
     * Waits until the loop's probes see the node answer as wanted, 10 s at most: an action that moved a primary ends on
     * what the cluster detail shows, not on the command it sent. False when it was not seen in time.
     */
    boolean awaitObserved(String node, java.util.function.Predicate<NodeObservation> wanted) {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            Optional<NodeState> seen = latest(node);
            if (seen.isPresent() && seen.get().answering() && wanted.test(seen.get().observation().get())) {
                return true;
            }
            sleep(50);
        }
        return false;
    }

    /** Waits (10 s at most) until the coordinator has been pointed at moved primaries by {@link #primariesMoved}. */
    void awaitRouting(String cluster) {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline && routingPending(cluster)) {
            sleep(100);
        }
    }

    public boolean routingPending(String cluster) {
        return actions.routingStale.contains(cluster);
    }

    static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        loop.interrupt();
        actions.close();
        restorePoints.close();
        leases.close();
        observer.close();
        sessions.close();
    }
}
