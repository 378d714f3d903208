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
    private final Map<String, Snapshot> latest = new ConcurrentHashMap<>();
    private final RestorePoints restorePoints;
    /** " (city Guangzhou)" for an IDC: where the DBA would promote to, in the alert's words. */
    private final java.util.function.Function<String, String> cityOf;

    /** A cluster's DR city at the last tick. */
    record Snapshot(boolean mainCityLost, List<DrStatus.Group> groups, long lastSampleMillis) {
        long lossBytes() {
            return groups.stream().mapToLong(g -> Math.max(0, g.lagBytes())).sum();
        }

        long lossMillis() {
            return groups.stream().mapToLong(g -> Math.max(0, g.lagMillis())).max().orElse(0);
        }
    }

    DrWatch(EventLog events, DrSettingsStore settings, RestorePoints restorePoints, java.util.function.Function<String, String> cityOf) {
        this.events = events;
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
        announceCity(c, mainIdcs, cityLost, snapshot);
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

    private void announceCity(ClusterRecord c, List<String> mainIdcs, boolean lost, Snapshot snapshot) {
        if (lost && citiesLost.add(c.name())) {
            events.record("alert.city-lost", c.name(), "Main city " + c.city() + " lost: " + String.join(" and ", mainIdcs)
                    + " do not answer. Cluster " + c.name() + " can be promoted in " + c.drIdc() + cityOf.apply(c.drIdc()) + "; estimated loss "
                    + snapshot.lossBytes() + " bytes, up to " + String.format("%.1f", snapshot.lossMillis() / 1000.0)
                    + " s of commits. Nothing is taken over automatically: promote the backup city when the main city is given up.");
        } else if (!lost && citiesLost.remove(c.name()) && !c.runsInDrCity()) {
            events.record("city.back", c.name(), "Main city " + c.city() + " answers again for " + c.name() + ".");
        }
    }
}
