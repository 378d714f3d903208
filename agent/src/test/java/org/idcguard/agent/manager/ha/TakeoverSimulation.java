package org.idcguard.agent.manager.ha;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.TimeUnit;
import org.idcguard.agent.manager.EventLog;
import org.idcguard.agent.manager.MetadataStore;
import org.idcguard.agent.manager.Transactions;
import org.idcguard.agent.manager.cluster.ClusterRecord;
import org.idcguard.agent.manager.cluster.ClusterRepository;
import org.idcguard.agent.manager.cluster.GroupRecord;
import org.idcguard.agent.manager.cluster.NodeRecord;
import org.idcguard.model.HaSettings;

/**
 * A deterministic simulation of one replication group under a seeded storm: the production decision
 * ({@link HaDecision}), takeover ({@link PrimaryFailover}, with {@link CandidateChoice}) and intent recovery
 * ({@link IntentRecovery}, {@link IntentRecoveryTable}) run against {@link SimPostgres} through the {@link Nodes} port,
 * on a real metadata store (H2 in memory, the production schema), on a virtual clock, in one thread.
 *
 * <p>Clients commit on every node that takes writes; standbys receive WAL in chunks of random size; nodes are killed,
 * IDCs powered off, cut off from the manager or from each other, and healed; the manager is killed at any of its steps
 * (before or after a metadata commit, before any statement to a node), and restarted; the world moves on between any
 * two of the manager's statements. After every event: at most one node can acknowledge, and every acknowledged commit
 * is on every node promoted after it. Once everything is healed: the group has one primary again.
 *
 * <p>Planned switches ({@link PlannedSwitch#move} plans, {@link GroupHandover} moves) start at random moments of the
 * storm, faults and kills landing in them as anywhere else, the sync-set keeper keeps the sync set. Not yet run here:
 * the backup-city promotion and the rejoiner (the simulation rewinds and restarts nodes itself, as it would).
 */
final class TakeoverSimulation {
    private static final String CLUSTER = "sim";
    private static final String GROUP = "shard1";
    static final long TICK_MILLIS = 500;

    /** A kill of the manager: nothing of that incarnation runs after it, no catch block, no write. */
    static final class ManagerKilled extends Error {
        ManagerKilled() {
            super("manager killed", null, false, false);
        }
    }

    /** What one run did; {@code choices} is every draw it made, to replay or shrink it ({@link Shrinker}). */
    record Outcome(long seed, Optional<String> violation, List<String> trace, int takeovers, int managerKills, long acked,
                   int resumed, int switches, int[] choices) {

        int choicesUsed() {
            return choices.length;
        }

        /** The invariant broken, without the names and numbers of this run: a shrunk run must break the same one. */
        String violationKind() {
            String v = violation.orElse("");
            for (String kind : List.of("in the DR city", "two nodes can acknowledge", "no copy in another IDC", "is not on",
                    "not protected again", "no primary after healing", "cannot move from")) {
                if (v.contains(kind)) {
                    return kind;
                }
            }
            return v;
        }
    }

    private final long seed;
    private final Choices random;
    private final MetadataStore store;
    private final SimPostgres pg = new SimPostgres();
    private final List<String> trace = new ArrayList<>();
    private final ClusterRepository clusters = new ClusterRepository();
    private final Set<String> cutFromManager = new HashSet<>();
    /** IDCs whose computers are off: nothing there runs or can be started until they are powered on. */
    private final Set<String> poweredOff = new HashSet<>();
    private final Map<String, Integer> failures = new HashMap<>();
    /**
     * Instances the manager stopped (a fence, a switch's stop): nothing but the manager starts them again; a healed
     * network or a powered-on computer brings back only what crashed.
     */
    private final Set<String> stoppedByManager = new HashSet<>();
    private final Reopened reopened;
    private long now;
    private String lastSaid;
    /** A failover decided and not yet said: said before the next line, or as one line with its refusal. */
    private String pendingFailOver;
    private String lastLine;
    private int repeats;
    /** The group's sync policy, drawn per seed: strict keeps waiting for the other IDC, available narrows to go on. */
    private String policy;
    /** The IDCs of the cluster: the two of the main city, and a DR IDC in another city for half the seeds. */
    private List<String> idcs;
    private boolean chaos = true;
    private int faultsLeft;
    private Optional<String> violation = Optional.empty();
    private int takeovers;
    private int managerKills;
    private int resumed;
    private int switches;
    private int switchesLeft;

    // the manager incarnation
    private boolean managerUp;
    private int managerDownTicks;
    private int stepsUntilKill = -1;
    private boolean dead;
    /** A kill landed in a task on another thread of the manager: the caller's next metadata commit lands, then it dies. */
    private boolean dying;
    private boolean inTask;
    /** The manager is resolving an intent (the sync-set window is reopened only there). */
    private boolean resolving;
    private PrimaryFailover failover;
    private IntentRecovery recovery;
    private GroupHandover handover;
    private Rejoiner rejoiner;
    private SyncSetKeeper keeper;
    /** The production observer's lingering conditions (astray, recovering, ...), fresh in each incarnation. */
    private NodeObserver lingering;

    /** A window closed by an earlier fix, reopened on purpose to show the simulation finds it. */
    enum Reopened {
        NONE,
        /** Recovery promotes a takeover's candidate without first setting the sync set it recorded. */
        SYNC_SET_BEFORE_PROMOTION,
        /** A detached standby's timeline is read from pg_control (its last restartpoint's), not from the WAL it holds. */
        TIMELINE_FROM_PG_CONTROL,
        /** The takeover may promote a DR-city standby on its own: chosen as the candidate, or after a fast-forward from it timed out. */
        DR_STANDBY_MAY_LEAD,
        /**
         * A planned switch killed after its promoting step (the old primary maybe stopped) with the candidate never
         * promoted is abandoned by recovery, not rolled back: the old primary is not started again. Reopened alone it
         * is covered by a later rule (a refused takeover starts the stopped recorded primary: no violation in 10,000
         * seeds), so that rule is taken away with it.
         */
        SWITCH_ABANDONED_AFTER_STOP
    }

    TakeoverSimulation(long seed, MetadataStore store) {
        this(seed, store, Reopened.NONE);
    }

    TakeoverSimulation(long seed, MetadataStore store, Reopened reopened) {
        this(seed, store, reopened, Choices.seeded(seed));
    }

    /** A run drawn from the given choices (a seed's, or a shrunk sequence replayed). */
    TakeoverSimulation(long seed, MetadataStore store, Reopened reopened, Choices choices) {
        this.seed = seed;
        this.random = choices;
        this.store = store;
        this.reopened = reopened;
    }

    Outcome run(int chaosTicks, int quietTicks) {
        setUp();
        faultsLeft = 1 + random.nextInt(6);
        switchesLeft = 1 + random.nextInt(3);
        startManager();
        for (int t = 0; t < chaosTicks && violation.isEmpty(); t++) {
            tick();
        }
        if (violation.isEmpty()) {
            heal();
            for (int t = 0; t < quietTicks && violation.isEmpty(); t++) {
                tick();
            }
        }
        if (violation.isEmpty()) {
            checkLiveness();
        }
        if (violation.isEmpty()) {
            awaitProtection(quietTicks * 2);
        }
        if (violation.isEmpty()) {
            // whatever the storm left must still be safe to fail over from: the recorded primary is killed once more
            String primary = store.inTransaction(c -> clusters.nodes(c, CLUSTER)).stream().filter(NodeRecord::isPrimary)
                    .findFirst().orElseThrow().name();
            pg.node(primary).running = false;
            say("last: kill " + primary + " (the recorded primary)");
            for (int t = 0; t < quietTicks && violation.isEmpty(); t++) {
                tick();
            }
            if (violation.isEmpty()) {
                checkLiveness();
            }
        }
        lingering.close();
        return new Outcome(seed, violation, trace, takeovers, managerKills, pg.acked.size(), resumed, switches, random.drawn());
    }

    // ---------------------------------------------------------------- the world

    private void setUp() {
        policy = random.nextBoolean() ? SyncSetRule.STRICT : "available";
        idcs = random.nextBoolean() ? List.of("IDC1", "IDC2", "IDC3") : List.of("IDC1", "IDC2");
        List<String[]> nodes = new ArrayList<>(List.of(new String[] {"p", "IDC1", "primary"}, new String[] {"s1", "IDC1", "standby"},
                new String[] {"b1", "IDC2", "standby"}, new String[] {"b2", "IDC2", "standby"}));
        if (idcs.contains("IDC3")) {
            nodes.add(new String[] {"d1", "IDC3", "standby"}); // asynchronous, outside every sync set, never promoted by the manager
        }
        try (Connection c = store.connection(); Statement st = c.createStatement()) {
            st.execute("SET REFERENTIAL_INTEGRITY FALSE");
            for (String table : List.of("alert", "event", "failover", "node", "replication_group", "cluster", "computer", "idc")) {
                st.execute("TRUNCATE TABLE " + table);
            }
            st.execute("SET REFERENTIAL_INTEGRITY TRUE");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        store.inTransaction(c -> {
            try (Statement st = c.createStatement()) {
                st.execute("INSERT INTO idc (name, province, city) VALUES ('IDC1', 'Guangdong', 'Shenzhen'), "
                        + "('IDC2', 'Guangdong', 'Shenzhen'), ('IDC3', 'Guangdong', 'Guangzhou')");
                for (String[] n : nodes) {
                    st.execute("INSERT INTO computer (address, agent_endpoint, idc, status, cpus, memory_bytes, free_disk_bytes, "
                            + "last_seen_millis) VALUES ('" + address(n[0]) + "', 'https://" + address(n[0]) + ":7480', '"
                            + n[1] + "', 'online', 2, 0, 0, 0)");
                }
            }
            clusters.insert(c, new ClusterRecord(CLUSTER, "intra-city", "Shenzhen", "IDC1", "IDC2", 1, 2, "app", "app", "pw", "admin",
                    "pw", policy, ClusterRecord.RUNNING, List.of(), idcs.contains("IDC3") ? "IDC3" : null));
            clusters.insertGroup(c, new GroupRecord(CLUSTER, GROUP, "shard", 1, List.of("b1", "b2"), 1, List.of("b1", "b2")));
            clusters.setSyncSet(c, CLUSTER, GROUP, List.of("b1", "b2"));
            clusters.setConfiguredStandbys(c, CLUSTER, GROUP, List.of("b1", "b2"));
            for (String[] n : nodes) {
                clusters.insertNode(c, new NodeRecord(n[0], CLUSTER, GROUP, n[1], address(n[0]), "https://" + address(n[0]) + ":7480",
                        5432, "/data/" + n[0], n[2], false));
            }
            return null;
        });
        pg.add("p", "IDC1", true, null).sync = List.of("b1", "b2");
        pg.add("s1", "IDC1", false, "p");
        pg.add("b1", "IDC2", false, "p");
        pg.add("b2", "IDC2", false, "p");
        if (idcs.contains("IDC3")) {
            pg.add("d1", "IDC3", false, "p");
        }
        for (int i = 0; i < 3; i++) {
            pg.commit(pg.node("p"));
            pg.nodes.values().forEach(n -> pg.replicate(n, 10));
        }
        say("start (" + policy + " policy): " + pg.describe());
    }

    private static String address(String node) {
        return "10.0.0." + (1 + List.of("p", "s1", "b1", "b2", "d1").indexOf(node));
    }

    /** One thing happens in the world: clients commit, the standbys receive, or (while faults are left) a fault. */
    private void worldEvent() {
        pg.step++;
        double r = random.nextDouble();
        List<SimPostgres.Node> all = List.copyOf(pg.nodes.values());
        if (r < 0.4) {
            all.stream().filter(n -> n.running && !n.inRecovery).forEach(pg::commit);
        } else if (r < 0.45) {
            pg.restartpoint(all.get(random.nextInt(all.size())));
        } else if (r < 0.9 || !chaos || faultsLeft == 0) {
            // every standby receives a chunk of random size (none, at times): streaming outpaces the commits, unevenly;
            // one far behind (after a rewind, a long cut) catches up in bigger chunks, as a WAL sender sends what it has
            all.forEach(n -> pg.replicate(n, random.nextInt(5) + pg.behind(n) / 8));
        } else {
            fault(all);
        }
        check();
    }

    private void fault(List<SimPostgres.Node> all) {
        faultsLeft--;
        int kind = random.nextInt(6);
        SimPostgres.Node n = all.get(random.nextInt(all.size()));
        String idc = idcs.get(random.nextInt(idcs.size()));
        String other = idcs.stream().filter(i -> !i.equals(idc)).toList().get(random.nextInt(idcs.size() - 1));
        switch (kind) {
            case 0 -> {
                n.running = false;
                say("kill " + n.name);
            }
            case 1 -> {
                poweredOff.add(idc);
                all.stream().filter(x -> x.idc.equals(idc)).forEach(x -> x.running = false);
                say("power off " + idc);
            }
            case 2 -> {
                cutFromManager.add(idc);
                say("cut " + idc + " off from the manager");
            }
            case 3 -> {
                pg.split.add(List.of(idc, other));
                pg.split.add(List.of(other, idc));
                say("cut " + idc + " and " + other + " apart");
            }
            case 4 -> {
                cutFromManager.add(idc);
                idcs.stream().filter(i -> !i.equals(idc)).forEach(i -> {
                    pg.split.add(List.of(idc, i));
                    pg.split.add(List.of(i, idc));
                });
                say("black-hole " + idc + " (from the manager and every other IDC)");
            }
            default -> {
                if (poweredOff.remove(idc)) {
                    say("power on " + idc + " (its instances stay stopped until started)");
                } else if (!n.running && !poweredOff.contains(n.idc) && !stoppedByManager.contains(n.name)) {
                    n.running = true;
                    say("restart " + n.name);
                } else {
                    cutFromManager.clear();
                    pg.split.clear();
                    say("network healed");
                }
            }
        }
    }

    private void heal() {
        chaos = false;
        cutFromManager.clear();
        poweredOff.clear();
        pg.split.clear();
        pg.nodes.values().stream().filter(n -> !stoppedByManager.contains(n.name)).forEach(n -> n.running = true);
        stepsUntilKill = -1;
        if (!managerUp) {
            startManager();
        }
        say("healed: every node runs, every network answers; " + pg.describe());
    }

    private void check() {
        if (violation.isPresent()) {
            return;
        }
        List<String> writers = pg.couldAcknowledge();
        if (pg.promotedAt.containsKey("d1")) {
            violation = Optional.of("the manager promoted d1, in the DR city (only a DBA may); " + pg.describe());
        } else if (writers.size() > 1) {
            violation = Optional.of("two nodes can acknowledge: " + writers + "; " + pg.describe());
        } else if (SyncSetRule.STRICT.equals(policy) && !pg.ackedWithoutAnotherIdc.isEmpty()) {
            var first = pg.ackedWithoutAnotherIdc.entrySet().iterator().next();
            violation = Optional.of("commit " + first.getKey() + " was acknowledged by " + first.getValue() + " with no copy in "
                    + "another IDC (the strict policy's promise); " + pg.describe());
        } else {
            // under the available policy a commit acknowledged while the primary waited for nobody may be lost with it:
            // that is the degraded state the DBA accepted (alerted as IDC protection lost); every other one must survive
            violation = pg.lostCommit(SyncSetRule.STRICT.equals(policy)).map(lost -> lost + "; " + pg.describe());
        }
        violation.ifPresent(v -> say("VIOLATION: " + v));
    }

    /**
     * Ticks on until the group is protected again (a standby recorded as holding every acknowledged commit, every
     * standby streaming); a violation when it is not within the given ticks after everything was healed.
     */
    private void awaitProtection(int ticks) {
        for (int t = 0; t < ticks && violation.isEmpty(); t++) {
            GroupRecord group = store.inTransaction(c -> clusters.groups(c, CLUSTER)).get(0);
            boolean streaming = pg.nodes.values().stream().allMatch(n -> !n.inRecovery || pg.streaming(n));
            if (!group.syncStandbys().isEmpty() && streaming) {
                return;
            }
            tick();
        }
        if (violation.isEmpty()) {
            violation = Optional.of("not protected again " + ticks * TICK_MILLIS / 1000 + " s after healing: recorded sync set "
                    + store.inTransaction(c -> clusters.groups(c, CLUSTER)).get(0).syncStandbys() + "; " + pg.describe());
            say("VIOLATION: " + violation.get());
        }
    }

    private void checkLiveness() {
        List<NodeRecord> nodes = store.inTransaction(c -> clusters.nodes(c, CLUSTER));
        List<NodeRecord> primaries = nodes.stream().filter(NodeRecord::isPrimary).toList();
        boolean open = !store.inTransaction(c -> new FailoverIntents().unfinished(c)).isEmpty();
        if (primaries.size() != 1 || open || !pg.node(primaries.get(0).name()).running || pg.node(primaries.get(0).name()).inRecovery) {
            violation = Optional.of("no primary after healing: recorded " + primaries.stream().map(NodeRecord::name).toList()
                    + (open ? ", an intent still open" : "") + "; " + pg.describe());
            say("VIOLATION: " + violation.get());
        }
    }

    /** One line of the trace; the same line said again at once is counted, not repeated. */
    private void say(String what) {
        if (pendingFailOver != null) {
            String decided = pendingFailOver;
            pendingFailOver = null;
            say("manager: fail over (" + decided + ")");
        }
        if (what.equals(lastSaid)) {
            repeats++;
            trace.set(trace.size() - 1, lastLine + String.format("  (and %d times more, until %.1fs)", repeats, now / 1000.0));
            return;
        }
        lastSaid = what;
        repeats = 0;
        lastLine = String.format("%7.1fs  %s", now / 1000.0, what);
        trace.add(lastLine);
    }

    // ---------------------------------------------------------------- the manager

    private void startManager() {
        managerUp = true;
        dead = false;
        dying = false;
        failures.clear();
        stepsUntilKill = chaos && random.nextInt(4) > 0 ? 1 + random.nextInt(16) : -1;
        Transactions gated = new Transactions() {
            @Override
            public <T> T inTransaction(MetadataStore.SqlWork<T> work) {
                boolean killed = killPoint();
                if (killed && random.nextBoolean()) {
                    throw die("before a metadata commit");
                }
                T result;
                try {
                    result = store.inTransaction(work);
                } catch (IllegalStateException refused) {
                    if (refused.getMessage() != null && refused.getMessage().contains("cannot move from") && violation.isEmpty()) {
                        // an intent written into a state its kind's machine does not have (FailoverIntents#step refused it)
                        violation = Optional.of(refused.getMessage() + "; " + pg.describe());
                        say("VIOLATION: " + violation.get());
                    }
                    throw refused;
                }
                if (killed || dying) {
                    throw die("after a metadata commit" + (dying ? " (a statement on another of its threads never ran)" : ""));
                }
                return result;
            }
        };
        if (lingering != null) {
            lingering.close();
        }
        lingering = new NodeObserver(new ActionSessions());
        EventLog events = new EventLog(gated);
        SimNodes nodes = new SimNodes();
        EnginePorts ports = new EnginePorts(gated, events, nodes, clock);
        failover = new PrimaryFailover(ports, new DirectExecutor(),
                reopened == Reopened.DR_STANDBY_MAY_LEAD ? cluster -> s -> true : CandidateChoice::mayLead);
        keeper = new SyncSetKeeper(gated, events, nodes);
        SimAgents agents = new SimAgents();
        recovery = new IntentRecovery(ports, failover, agents, reopened == Reopened.SWITCH_ABANDONED_AFTER_STOP
                ? TakeoverSimulation::abandonSwitches : IntentRecoveryTable::decide);
        handover = new GroupHandover(ports, agents);
        rejoiner = new Rejoiner(ports, agents, null); // no nudges: the simulation's primaries keep writing
        say("manager starts");
    }

    /** The recovery table as it was before the switch's roll-back row: a switch at its promoting step was abandoned. */
    private static IntentRecoveryTable.Row abandonSwitches(IntentRecoveryTable.Facts f) {
        IntentRecoveryTable.Row row = IntentRecoveryTable.decide(f);
        return row.action() == IntentRecoveryTable.Action.ROLL_BACK_SWITCH
                ? new IntentRecoveryTable.Row(row.when(), "abandon (the window reopened on purpose)", row.applies(),
                IntentRecoveryTable.Action.ABANDON) : row;
    }

    /** Counts one step of the manager; true at the step it is to be killed at. Throws if it is dead already. */
    private boolean killPoint() {
        if (dead) {
            throw new ManagerKilled();
        }
        return stepsUntilKill > 0 && --stepsUntilKill == 0;
    }

    private ManagerKilled die(String where) {
        dead = true;
        managerKills++;
        say("manager killed " + where);
        return new ManagerKilled();
    }

    private final HaClock clock = new HaClock() {
        @Override
        public long millis() {
            return now;
        }

        @Override
        public void sleep(long millis) {
            now += millis;
            worldEvent();
        }
    };

    private void tick() {
        now += TICK_MILLIS;
        int events = random.nextInt(5);
        for (int i = 0; i < events && violation.isEmpty(); i++) {
            worldEvent();
        }
        if (violation.isPresent()) {
            return;
        }
        if (!managerUp) {
            if (--managerDownTicks <= 0) {
                startManager();
            }
            return;
        }
        try {
            if (chaos && switchesLeft > 0 && random.nextInt(5) == 0) {
                plannedSwitch();
            } else {
                decideAndAct();
            }
        } catch (ManagerKilled | RuntimeException e) {
            if (!dead && !(e instanceof ManagerKilled)) {
                throw e;
            }
            // killed, or a kill wrapped by a future on its way out: down for a few ticks, then a new incarnation
            managerUp = false;
            managerDownTicks = 2 + random.nextInt(8);
        }
    }

    private boolean reaches(SimPostgres.Node n) {
        return n.running && !cutFromManager.contains(n.idc);
    }

    /** One round of probes: each recorded node as the HA loop sees it (counting failed probes when {@code count}). */
    private List<NodeState> probe(List<NodeRecord> records, boolean count) {
        List<NodeState> members = new ArrayList<>();
        for (NodeRecord r : records) {
            SimPostgres.Node n = pg.node(r.name());
            int failed = reaches(n) ? 0 : failures.getOrDefault(r.name(), 0) + 1;
            if (count) {
                failures.put(r.name(), failed);
            }
            members.add(new NodeState(r, failed, failed >= HaSettings.DEFAULTS.failedProbes(),
                    failed == 0 ? Optional.of(observe(n)) : Optional.empty()));
        }
        return members;
    }

    private void decideAndAct() {
        ClusterRecord cluster = store.inTransaction(c -> clusters.find(c, CLUSTER)).orElseThrow();
        GroupRecord group = store.inTransaction(c -> clusters.groups(c, CLUSTER)).get(0);
        List<NodeRecord> records = store.inTransaction(c -> clusters.nodes(c, CLUSTER));
        List<NodeState> members = probe(records, true);
        Set<String> downIdcs = new HashSet<>(idcs);
        members.stream().filter(NodeState::answering).forEach(m -> downIdcs.remove(m.idc()));
        Optional<FailoverIntents.Intent> open = store.inTransaction(c -> new FailoverIntents().unfinished(c)).stream()
                .filter(i -> i.group().equals(GROUP)).findFirst();
        GroupFacts facts = new GroupFacts(cluster, group, members, downIdcs, HaSettings.DEFAULTS, now, open,
                lingering.linger(members, now));
        for (HaAction a : HaDecision.decide(facts)) {
            act(facts, a);
            if (violation.isPresent()) {
                return;
            }
        }
    }

    /**
     * A DBA switches the group to the main city's other IDC: planned by the production preflight from one round of
     * probes, moved by the production handover; nothing happens when the preflight blocks it.
     */
    private void plannedSwitch() {
        ClusterRecord cluster = store.inTransaction(c -> clusters.find(c, CLUSTER)).orElseThrow();
        GroupRecord group = store.inTransaction(c -> clusters.groups(c, CLUSTER)).get(0);
        List<NodeRecord> records = store.inTransaction(c -> clusters.nodes(c, CLUSTER));
        boolean open = !store.inTransaction(c -> new FailoverIntents().unfinished(c)).isEmpty();
        Optional<NodeRecord> primary = records.stream().filter(NodeRecord::isPrimary).findFirst();
        if (open || primary.isEmpty() || cluster.isDr(primary.get().idc())) {
            return;
        }
        String to = primary.get().idc().equals("IDC1") ? "IDC2" : "IDC1";
        List<NodeState> seen = probe(records, false);
        org.idcguard.model.SwitchPlan.GroupMove move = PlannedSwitch.move(group, records, to,
                name -> seen.stream().filter(m -> m.name().equals(name)).findFirst());
        if (move.blocker() != null || move.oldPrimary().equals(move.newPrimary())) {
            return;
        }
        switchesLeft--;
        say("DBA: switch to " + to + " (" + move.oldPrimary() + " hands over to " + move.newPrimary() + ")");
        try {
            handover.move(cluster, move, new HandoverBarrier(1).party(), new HandoverBarrier(1).party());
            // what PlannedSwitch does once every group moved
            store.inTransaction(c -> {
                clusters.setIdcs(c, CLUSTER, to, primary.get().idc());
                return null;
            });
            switches++;
            say("manager: switched; " + pg.describe());
        } catch (Exception e) {
            if (dead) {
                throw new ManagerKilled();
            }
            say("manager: switch failed: " + e.getMessage() + "; " + pg.describe());
        }
        check();
    }

    private NodeObservation observe(SimPostgres.Node n) {
        Optional<NodeObservation.Receiver> receiver = pg.streaming(n)
                ? Optional.of(new NodeObservation.Receiver("streaming", address(n.upstream), 5432, 0)) : Optional.empty();
        List<NodeObservation.Replica> replicas = pg.nodes.values().stream().filter(s -> n.name.equals(s.upstream) && pg.streaming(s))
                .map(s -> new NodeObservation.Replica(s.name, "streaming", n.sync.contains(s.name) ? "quorum" : "async", s.wal.size()))
                .toList();
        String syncNames = n.sync.isEmpty() ? "" : "ANY 1 (" + String.join(", ", n.sync.stream().map(x -> "\"" + x + "\"").toList()) + ")";
        return new NodeObservation(n.inRecovery, n.wal.size(), false, syncNames, receiver, replicas, n.upstream != null);
    }

    private void act(GroupFacts f, HaAction a) {
        SimPostgres.Node node = a.node() == null || a.node().isEmpty() ? null : pg.node(a.node());
        switch (a.kind()) {
            case FAIL_OVER -> {
                pendingFailOver = a.sentence(); // said before whatever it leads to, or merged with its refusal
                try {
                    PrimaryFailover.Outcome out = failover.run(f.cluster(), f.group(), f.primary().get(), f.members(), a.detail(), a.sentence());
                    if (out != null) {
                        keeper.pending(out.pendingSince());
                        takeovers++;
                        say("manager: " + out.newPrimary().name() + " is the primary; " + pg.describe());
                    }
                } catch (CandidateChoice.NoSafeCandidate refused) {
                    if (pendingFailOver != null) {
                        pendingFailOver = null; // nothing was said in between: one line, so that repeats are counted
                        say("manager: fail over refused: " + refused.getMessage() + " (" + a.sentence() + ")");
                    } else {
                        say("manager: refused: " + refused.getMessage());
                    }
                    // as HaActions: nobody was promoted, so the recorded primary, once it answers, is started again
                    String primary = f.primary().get().name();
                    if (reopened != Reopened.SWITCH_ABANDONED_AFTER_STOP) {
                        rejoin(primary, "start " + primary + " as the primary (no standby may be promoted)", (n, p) ->
                                rejoiner.startPrimary(f.cluster(), n, "no standby may be promoted (" + refused.getMessage() + ")"));
                    }
                } catch (SQLException | RuntimeException e) {
                    if (dead) {
                        throw new ManagerKilled();
                    }
                    say("manager: failover failed: " + e.getMessage());
                }
            }
            case RESOLVE_INTENT -> {
                FailoverIntents.Intent intent = f.openIntent().orElseThrow();
                boolean candidateDown = f.members().stream().anyMatch(m -> m.name().equals(intent.candidate()) && m.down());
                boolean ended;
                resolving = true;
                try {
                    ended = recovery.resolve(intent, candidateDown);
                } finally {
                    resolving = false;
                }
                if (ended && intent.mayHavePromoted()) {
                    resumed++;
                }
                say("manager: intent " + intent.step() + " of " + intent.candidate() + (ended ? " resolved" : " waits") + "; " + pg.describe());
            }
            case STOP_PRIMARY -> rejoin(node.name, "stop " + node.name + " (recorded primary, never promoted)",
                    (n, p) -> rejoiner.stopUnpromoted(f.cluster(), n));
            case FENCE -> rejoin(node.name, "fence " + node.name, (n, p) -> {
                if (!n.isPrimary()) { // as HaActions: a record that names it primary since the tick is judged afresh
                    rejoiner.fence(f.cluster(), n, p);
                }
            });
            case REATTACH -> {
                if (reaches(node)) {
                    node.upstream = f.primary().get().name();
                    say("manager: reattach " + node.name);
                }
            }
            case START_PRIMARY -> rejoin(node.name, "start " + node.name + " as the primary",
                    (n, p) -> rejoiner.startPrimary(f.cluster(), n));
            case START_STANDBY -> rejoin(node.name, "start " + node.name + " as a standby", (n, p) -> {
                if (!n.isPrimary() && !n.needsRejoin()) { // as HaActions: decided on a record that has changed since
                    rejoiner.rejoin(f.cluster(), n, p, false);
                }
            });
            case MARK_ASTRAY -> store.inTransaction(c -> {
                clusters.setRole(c, node.name, "standby", true);
                return null;
            });
            case REJOIN -> rejoin(node.name, "rewind " + node.name + " onto the primary", (n, p) -> {
                if (!n.isPrimary() && n.needsRejoin()) {
                    rejoiner.rejoin(f.cluster(), n, p, true);
                }
            });
            case MAINTAIN_SYNC -> {
                try {
                    keeper.maintain(f.cluster(), f.group().name(), f.primary().get(), f.members(), f.stalled());
                } catch (SQLException | RuntimeException e) {
                    if (dead) {
                        throw new ManagerKilled();
                    }
                    say("manager: the sync set could not be kept (" + e.getMessage() + ")");
                }
            }
            default -> {
                // NOTICE, WAIT
            }
        }
        check();
    }

    /** Before each call the manager makes to a node or its agent: the world moves, and a kill may land. */
    private void beforeCall(String what) {
        int moves = random.nextInt(3);
        for (int i = 0; i < moves && violation.isEmpty(); i++) {
            worldEvent();
        }
        if (dying) {
            throw die("before " + what);
        }
        if (killPoint()) {
            if (inTask && random.nextBoolean()) {
                // the thread that runs this call dies first; the caller's thread goes on a moment longer
                dying = true;
                say("manager dying: " + what + " never runs");
                throw new ManagerKilled();
            }
            throw die("before " + what);
        }
    }

    /** One of the rejoiner's actions, on the node's and its group primary's records as they are now (HaActions reads them so). */
    private interface RejoinStep {
        void run(NodeRecord node, NodeRecord primary) throws SQLException;
    }

    private void rejoin(String node, String what, RejoinStep step) {
        List<NodeRecord> nodes = store.inTransaction(c -> clusters.nodes(c, CLUSTER));
        Optional<NodeRecord> n = nodes.stream().filter(x -> x.name().equals(node)).findFirst();
        Optional<NodeRecord> p = nodes.stream().filter(NodeRecord::isPrimary).findFirst();
        if (n.isEmpty() || p.isEmpty()) {
            return;
        }
        SimPostgres.Node target = pg.node(node);
        String before = target.running + " " + target.inRecovery + " " + target.upstream;
        try {
            step.run(n.get(), p.get());
        } catch (SQLException | RuntimeException e) {
            if (dead) {
                throw new ManagerKilled();
            }
            say("manager: " + what + " failed (" + e.getMessage() + ")");
            return;
        }
        if (!(target.running + " " + target.inRecovery + " " + target.upstream).equals(before)) {
            say("manager: " + what + "; " + pg.describe()); // said only when it changed the node (the world moves meanwhile)
        }
    }

    /** The Nodes port answered from the model: the world moves before each statement, a kill may land at each. */
    private final class SimNodes implements Nodes {

        private SimPostgres.Node reach(NodeRecord r) throws SQLException {
            beforeCall("a statement to " + r.name());
            SimPostgres.Node n = pg.node(r.name());
            if (!reaches(n)) {
                throw new SQLException(r.name() + " does not answer");
            }
            return n;
        }

        private final class Session implements Nodes.Session {
            private final NodeRecord record;

            Session(NodeRecord record) {
                this.record = record;
            }

            @Override
            public String node() {
                return record.name();
            }

            @Override
            public WalPosition detach() throws SQLException {
                SimPostgres.Node n = reach(record);
                n.upstream = null;
                return reopened == Reopened.TIMELINE_FROM_PG_CONTROL ? new WalPosition(n.checkpointTimeline, n.wal.size()) : n.position();
            }

            @Override
            public void setSyncStandbys(List<String> standbys) throws SQLException {
                reach(record).sync = List.copyOf(standbys);
            }

            @Override
            public void promote() throws SQLException {
                pg.promote(reach(record));
            }

            @Override
            public void repoint(ClusterRecord cluster, NodeRecord upstream) throws SQLException {
                reach(record).upstream = upstream.name();
            }

            @Override
            public long position() throws SQLException {
                return reach(record).wal.size();
            }

            @Override
            public boolean broken(SQLException e) {
                return false;
            }

            @Override
            public void close() {
            }
        }

        @Override
        public Nodes.Session lend(ClusterRecord cluster, NodeRecord node, int loginSeconds) throws SQLException {
            reach(node);
            return new Session(node);
        }

        @Override
        public Nodes.Session fresh(ClusterRecord cluster, NodeRecord node, int loginSeconds) throws SQLException {
            return lend(cluster, node, loginSeconds);
        }

        @Override
        public Nodes.Session open(ClusterRecord cluster, NodeRecord node) throws SQLException {
            return lend(cluster, node, 3);
        }

        @Override
        public void giveBack(Nodes.Session session) {
        }

        @Override
        public Optional<Boolean> inRecovery(ClusterRecord cluster, NodeRecord node) {
            try {
                return Optional.of(reach(node).inRecovery);
            } catch (SQLException e) {
                return Optional.empty();
            }
        }

        @Override
        public Optional<Boolean> promotionRequested(ClusterRecord cluster, NodeRecord node) {
            try {
                reach(node);
                return Optional.of(false); // a promotion here is taken up at once
            } catch (SQLException e) {
                return Optional.empty();
            }
        }

        @Override
        public long position(ClusterRecord cluster, NodeRecord node) throws SQLException {
            return reach(node).wal.size();
        }

        @Override
        public void setSyncStandbys(ClusterRecord cluster, NodeRecord node, List<String> standbys) throws SQLException {
            if (reopened == Reopened.SYNC_SET_BEFORE_PROMOTION && resolving && pg.node(node.name()).inRecovery) {
                SimPostgres.Node n = reach(node);
                say("recovery skips the sync set of " + n.name + " (the window reopened on purpose); it waits for " + n.sync);
                return; // the window reintroduced on purpose: recovery promotes without the sync set it recorded
            }
            reach(node).sync = List.copyOf(standbys);
        }

        @Override
        public void promote(ClusterRecord cluster, NodeRecord node) throws SQLException {
            pg.promote(reach(node));
        }

        @Override
        public void repoint(ClusterRecord cluster, NodeRecord standby, NodeRecord upstream) throws SQLException {
            reach(standby).upstream = upstream.name();
        }

        @Override
        public void checkpoint(ClusterRecord cluster, NodeRecord primary) throws SQLException {
            pg.mark(reach(primary));
        }

        @Override
        public long switchSegment(ClusterRecord cluster, NodeRecord primary) throws SQLException {
            SimPostgres.Node n = reach(primary);
            pg.mark(n);
            return n.wal.size();
        }

        @Override
        public long replayed(ClusterRecord cluster, NodeRecord node) throws SQLException {
            return reach(node).wal.size();
        }

        @Override
        public String recoveryTarget(ClusterRecord cluster, NodeRecord node) throws SQLException {
            reach(node);
            return ""; // restore points are not modelled: the simulation runs no backup-city promotion yet
        }

        @Override
        public void setRecoveryTarget(ClusterRecord cluster, NodeRecord node, String point) {
            throw new UnsupportedOperationException("restore points are not modelled: the simulation runs no backup-city promotion yet");
        }

        @Override
        public void clearRecoveryTarget(ClusterRecord cluster, NodeRecord node) throws SQLException {
            reach(node); // none is ever set
        }

        @Override
        public boolean pausedAtTarget(ClusterRecord cluster, NodeRecord node) {
            throw new UnsupportedOperationException("restore points are not modelled: the simulation runs no backup-city promotion yet");
        }

        @Override
        public String fenceBySql(ClusterRecord cluster, NodeRecord node) throws SQLException {
            SimPostgres.Node n = reach(node);
            n.sync = List.of("idcguard_fenced"); // no standby has that name: nothing more is acknowledged
            n.running = false;
            stoppedByManager.add(node.name());
            return "stopped through its postmaster";
        }

        @Override
        public void nudgeWal(ClusterRecord cluster, NodeRecord primary) throws SQLException {
            pg.mark(reach(primary));
        }

        @Override
        public Optional<List<String>> waitedForOnceCovered(ClusterRecord cluster, NodeRecord primary) {
            SimPostgres.Node n;
            try {
                n = reach(primary);
            } catch (SQLException e) {
                return Optional.empty();
            }
            if (n.sync.isEmpty()) {
                return Optional.empty();
            }
            int since = n.wal.size();
            for (long waited = 0; waited < 5000; waited += 50) {
                if (n.sync.stream().map(pg::node).anyMatch(s -> n.name.equals(s.upstream) && pg.streaming(s) && s.wal.size() >= since)) {
                    return Optional.of(n.sync);
                }
                clock.sleep(50);
            }
            return Optional.empty();
        }
    }

    /** The node agents, on the model: a call reaches the agent only if its computer runs and the manager reaches it. */
    private final class SimAgents implements Agents {
        private SimPostgres.Node reach(NodeRecord r) {
            beforeCall("a call to the node agent of " + r.name());
            SimPostgres.Node n = pg.node(r.name());
            if (poweredOff.contains(n.idc) || cutFromManager.contains(n.idc)) {
                throw new IllegalStateException("the node agent of " + r.name() + " does not answer");
            }
            return n;
        }

        @Override
        public void stop(NodeRecord node, String mode) {
            pg.stopCleanly(reach(node));
            stoppedByManager.add(node.name());
        }

        @Override
        public void start(NodeRecord node) {
            reach(node).running = true;
            stoppedByManager.remove(node.name());
        }

        @Override
        public Instance instance(NodeRecord node) {
            return reach(node).running ? Instance.RUNNING : Instance.STOPPED;
        }

        @Override
        public String follow(NodeRecord node, NodeRecord upstream, boolean rewind, List<String> clientNetworks) {
            SimPostgres.Node n = reach(node);
            SimPostgres.Node up = pg.node(upstream.name());
            if (rewind) {
                // pg_rewind runs on the node's computer and reads the source over the network
                if (!up.running || pg.split.contains(List.of(n.idc, up.idc))) {
                    n.running = false;
                    throw new IllegalStateException("pg_rewind of " + node.name() + " could not reach " + upstream.name());
                }
                pg.rewind(n, up);
            } else {
                n.inRecovery = true;
                n.upstream = upstream.name();
                n.running = true;
            }
            stoppedByManager.remove(node.name());
            return null;
        }
    }

    /**
     * Runs each task at once, on the caller's thread: the simulation has one thread, so one order per seed. A kill that
     * lands in a task may leave the caller one more metadata commit ({@link #dying}), as a race between two threads of
     * a dying process can.
     */
    private final class DirectExecutor extends AbstractExecutorService {
        private boolean shut;

        @Override
        public void execute(Runnable command) {
            boolean outer = inTask;
            inTask = true;
            try {
                command.run();
            } finally {
                inTask = outer;
            }
        }

        @Override
        public void shutdown() {
            shut = true;
        }

        @Override
        public List<Runnable> shutdownNow() {
            shut = true;
            return List.of();
        }

        @Override
        public boolean isShutdown() {
            return shut;
        }

        @Override
        public boolean isTerminated() {
            return shut;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return true;
        }
    }
}
