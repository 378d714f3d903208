package org.idcguard.agent.manager.ha;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.idcguard.agent.manager.EventLog;
import org.idcguard.agent.manager.cluster.ClusterRecord;
import org.idcguard.agent.manager.cluster.GroupRecord;
import org.idcguard.agent.manager.cluster.NodeRecord;
import org.idcguard.model.DrSettings;
import org.idcguard.model.DrStatus;

/**
 * Watches each cluster's DR city on every tick: what each group's DR standby holds against the newest position seen on
 * its primary, in bytes and in time (from the primary's positions sampled tick by tick: the commits a standby lacks
 * were made after the last sample it had reached), and says when a DR standby lags or stops receiving and when the
 * whole main city is lost. Nothing here acts on a node: losing the main city is the DBA's call.
 */
final class DrWatch {
    /** How far back the primary's positions are kept: a lag older than this reads as at least this long. */
    static final long HISTORY_MILLIS = 600_000;
    /** How long a DR standby may not receive while its primary answers before it is an alert. */
    static final long NOT_RECEIVING_MILLIS = 10_000;
    private final EventLog events;
    private final DrSettingsStore settings;
    private final Map<String, Deque<long[]>> primarySamples = new HashMap<>();
    private final Map<String, Long> notReceivingSince = new HashMap<>();
    private final Set<String> lagging = new HashSet<>();
    private final Set<String> notReceiving = new HashSet<>();
    private final Set<String> citiesLost = new HashSet<>();
    /** Clusters whose main city is down for the manager while its primaries may still acknowledge (said once). */
    private final Set<String> citiesUnseen = new HashSet<>();
    private final Map<String, Snapshot> latest = new ConcurrentHashMap<>();
    private final RestorePoints restorePoints;
    /** " (city Guangzhou)" for an IDC: where the DBA would promote to, in the alert's words. */
    private final java.util.function.Function<String, String> cityOf;
    /** Per cluster/group, when (manager's clock) a DR standby of the group last heard from a main-city node. */
    private final Map<String, Long> heardFromMainCity = new ConcurrentHashMap<>();
    private final PrimaryLeases leases;

    /** A cluster's DR city at the last tick. */
    record Snapshot(boolean mainCityLost, List<DrStatus.Group> groups, long lastSampleMillis) {
        long lossBytes() {
            return groups.stream().mapToLong(g -> Math.max(0, g.lagBytes())).sum();
        }

        long lossMillis() {
            return groups.stream().mapToLong(g -> Math.max(0, g.lagMillis())).max().orElse(0);
        }
    }

    DrWatch(EventLog events, DrSettingsStore settings, RestorePoints restorePoints, java.util.function.Function<String, String> cityOf,
            PrimaryLeases leases) {
        this.events = events;
        this.leases = leases;
        this.cityOf = cityOf;
        this.settings = settings;
        this.restorePoints = restorePoints;
    }

    /** The last tick's view of a cluster's DR city; empty when it has none or was not observed yet. */
    Optional<Snapshot> latest(String cluster) {
        return Optional.ofNullable(latest.get(cluster));
    }

    void observe(ClusterView v, Map<String, NodeState> states, Set<String> downIdcs, long now) {
        ClusterRecord c = v.cluster();
        if (!c.hasDr()) {
            latest.remove(c.name());
            return;
        }
        DrSettings s = settings.current();
        List<String> mainIdcs = ClusterRecord.idcsOf(v.nodes()).stream().filter(i -> !c.isDr(i)).toList();
        boolean cityLost = !c.runsInDrCity() && !mainIdcs.isEmpty() && downIdcs.containsAll(mainIdcs);
        List<DrStatus.Group> groups = new ArrayList<>();
        for (GroupRecord g : v.groups()) {
            List<NodeState> members = v.nodes().stream().filter(n -> n.group().equals(g.name())).map(n -> states.get(n.name())).toList();
            groups.add(group(c, g, members, s, now));
        }
        long lastSample = v.groups().stream().map(g -> primarySamples.get(c.name() + "/" + g.name()))
                .filter(d -> d != null && !d.isEmpty()).mapToLong(d -> d.peekLast()[0]).max().orElse(-1);
        Snapshot snapshot = new Snapshot(cityLost, groups, lastSample);
        latest.put(c.name(), snapshot);
        // the city is said lost (and can be promoted) only once its primaries can acknowledge nothing more: until then
        // a promotion would lose what they go on acknowledging inside a city cut off from the manager and the DR city
        long silentFrom = cityLost ? mainCityMayAcknowledgeUntil(c, v.nodes()) : 0;
        if (cityLost && now < silentFrom && citiesUnseen.add(c.name())) {
            long heard = v.groups().stream().mapToLong(g -> heardFromMainCity(c.name(), g.name())).max().orElse(0);
            events.record("dr.city-unseen", c.name(), "Main city " + c.city() + " does not answer (" + String.join(" and ", mainIdcs)
                    + "), but its primaries may still acknowledge commits for " + String.format("%.1f", (silentFrom - now) / 1000.0)
                    + " s, until their leases (and any extension their node agents grant while the DR city seemed to stream from them; "
                    + "it last heard from the main city " + String.format("%.1f", (now - heard) / 1000.0) + " s ago) have run out: "
                    + "the city-lost alert, and a promotion, wait until then.");
        } else if (!cityLost) {
            citiesUnseen.remove(c.name());
        }
        announceCity(c, mainIdcs, cityLost && now >= silentFrom, snapshot, silentFrom);
        restorePoints.maybeMark(v, states, s, now);
    }

    private DrStatus.Group group(ClusterRecord c, GroupRecord g, List<NodeState> members, DrSettings s, long now) {
        String key = c.name() + "/" + g.name();
        Optional<NodeState> primary = members.stream().filter(m -> m.node().isPrimary()).findFirst();
        Deque<long[]> samples = primarySamples.computeIfAbsent(key, k -> new ArrayDeque<>());
        boolean primaryServes = primary.isPresent() && primary.get().answering() && primary.get().observation().get().writable();
        if (primaryServes && !c.runsInDrCity()) {
            samples.addLast(new long[] {now, primary.get().lsn()});
            while (samples.size() > 2 && now - samples.peekFirst()[0] > HISTORY_MILLIS) {
                samples.removeFirst();
            }
        }
        // the DR standby furthest ahead: the one a promotion would choose
        NodeState best = null;
        long bestLsn = -1;
        String state = "down";
        for (NodeState m : members) {
            if (!c.isDr(m.idc()) || m.node().isPrimary()) {
                continue;
            }
            m.observation().filter(o -> m.answering()).flatMap(NodeObservation::receiver)
                    .filter(r -> r.silenceMillis() >= 0 && hearsMainCity(c, members, r))
                    .ifPresent(r -> heardFromMainCity.merge(key, now - r.silenceMillis(), Math::max));
            long received = received(primary, m);
            String st = primaryServes && primary.get().observation().get().replica(m.name()).map(r -> "streaming".equals(r.state()))
                    .orElse(false) ? "streaming" : m.answering() ? "not receiving" : "down";
            if (best == null || received > bestLsn) {
                best = m;
                bestLsn = received;
                state = st;
            }
        }
        if (best == null || c.runsInDrCity()) {
            return new DrStatus.Group(g.name(), best == null ? "-" : best.name(), c.runsInDrCity() ? "primary" : "none", "-", "-", -1, -1);
        }
        long lastPrimary = samples.isEmpty() ? -1 : samples.peekLast()[1];
        long lagBytes = bestLsn < 0 || lastPrimary < 0 ? -1 : Math.max(0, lastPrimary - bestLsn);
        long lagMillis = bestLsn < 0 || lastPrimary < 0 ? -1 : lagMillis(samples, bestLsn);
        DrStatus.Group result = new DrStatus.Group(g.name(), best.name(), state, bestLsn < 0 ? "-" : Lsn.format(bestLsn),
                lastPrimary < 0 ? "-" : Lsn.format(lastPrimary), lagBytes, lagMillis);
        if (primaryServes) {
            alertLag(key, result, s);
            alertReceiving(key, result, now);
        }
        return result;
    }

    /** The DR standby's WAL receiver streams from a main-city node of its group. */
    private static boolean hearsMainCity(ClusterRecord c, List<NodeState> members, NodeObservation.Receiver r) {
        return members.stream().anyMatch(n -> !c.isDr(n.idc()) && n.node().address().equals(r.senderHost())
                && n.node().port() == r.senderPort());
    }

    /**
     * When (manager's clock) a DR standby of the group last heard from the main city: from the standby's own silence,
     * read every tick; for a group not heard from since this manager started, its start (it may have been just before).
     */
    long heardFromMainCity(String cluster, String group) {
        return heardFromMainCity.getOrDefault(cluster + "/" + group, leases.startedAtMillis());
    }

    /**
     * Until when a main-city primary of the cluster may still acknowledge commits, the manager no longer renewing their
     * leases: the latest over the groups whose recorded primary stands in the main city (see
     * {@link PrimaryLeases#mayAcknowledgeUntil}); 0 when none does.
     */
    long mainCityMayAcknowledgeUntil(ClusterRecord c, List<NodeRecord> nodes) {
        return nodes.stream().filter(n -> n.isPrimary() && !c.isDr(n.idc()))
                .mapToLong(p -> leases.mayAcknowledgeUntil(p.name(), heardFromMainCity(c.name(), p.group()))).max().orElse(0);
    }

    /** What a DR standby holds: its own report when it answers, else what its primary last saw it flush. */
    private static long received(Optional<NodeState> primary, NodeState standby) {
        if (standby.answering()) {
            return standby.lsn();
        }
        return primary.flatMap(NodeState::observation).flatMap(o -> o.replica(standby.name()))
                .map(NodeObservation.Replica::flushLsn).orElse(-1L);
    }

    /**
     * The span of commits a standby at position held lacks: from the last sample of the primary it had reached to the
     * newest sample. Reached by none of the kept samples, it lacks at least the whole history.
     */
    static long lagMillis(Deque<long[]> samples, long held) {
        long[] newest = samples.peekLast();
        if (newest == null || held >= newest[1]) {
            return 0;
        }
        long reachedAt = samples.peekFirst()[0];
        for (long[] sample : samples) {
            if (sample[1] <= held) {
                reachedAt = sample[0];
            }
        }
        return newest[0] - reachedAt;
    }

    private void alertLag(String key, DrStatus.Group g, DrSettings s) {
        boolean over = g.lagBytes() > s.lagAlertBytes() || g.lagMillis() > s.lagAlertMillis();
        if (over && lagging.add(key)) {
            events.record("alert.dr-lagging", key, "DR standby " + g.node() + " lags " + g.lagBytes() + " bytes (" + g.lagMillis()
                    + " ms of commits) behind the primary: a backup-city promotion now would lose them.");
        } else if (!over && lagging.remove(key)) {
            events.record("dr.caught-up", key, "DR standby " + g.node() + " has caught up (" + g.lagBytes() + " bytes behind).");
        }
    }

    private void alertReceiving(String key, DrStatus.Group g, long now) {
        if ("streaming".equals(g.state())) {
            notReceivingSince.remove(key);
            if (notReceiving.remove(key)) {
                events.record("dr.receiving", key, "DR standby " + g.node() + " receives the primary's WAL again.");
            }
            return;
        }
        long since = notReceivingSince.computeIfAbsent(key, k -> now);
        if (now - since > NOT_RECEIVING_MILLIS && notReceiving.add(key)) {
            events.record("alert.dr-not-receiving", key, "DR standby " + g.node() + " has not received the primary's WAL for "
                    + (now - since) / 1000 + " s (" + g.state() + "): the DR city falls behind.");
        }
    }

    private void announceCity(ClusterRecord c, List<String> mainIdcs, boolean lost, Snapshot snapshot, long silentFrom) {
        if (lost && citiesLost.add(c.name())) {
            long unseen = snapshot.lastSampleMillis() < 0 ? -1 : Math.max(0, silentFrom - snapshot.lastSampleMillis());
            events.record("alert.city-lost", c.name(), "Main city " + c.city() + " lost: " + String.join(" and ", mainIdcs)
                    + " do not answer, and their primaries' leases have run out. Cluster " + c.name() + " can be promoted in "
                    + c.drIdc() + cityOf.apply(c.drIdc()) + "; estimated loss " + snapshot.lossBytes() + " bytes, up to "
                    + String.format("%.1f", snapshot.lossMillis() / 1000.0) + " s of commits"
                    + (unseen < 0 ? "" : ", and whatever the main city acknowledged in up to " + String.format("%.1f", unseen / 1000.0)
                    + " s after it was last seen, while its primaries' leases could still hold (a city cut off goes on writing)")
                    + ". Nothing is taken over automatically: promote the backup city when the main city is given up.");
        } else if (!lost && citiesLost.remove(c.name()) && !c.runsInDrCity()) {
            events.record("city.back", c.name(), "Main city " + c.city() + " answers again for " + c.name() + ".");
        }
    }
}
