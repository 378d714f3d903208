package org.idcguard.agent.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.idcguard.agent.drill.ClusterHealth;
import org.idcguard.agent.drill.ProbeReport;
import org.idcguard.agent.drill.ProbeWorkload;
import org.idcguard.agent.testing.HaEstates;
import org.idcguard.agent.testing.LocalEstate;
import org.idcguard.agent.testing.OneClusterPerClass;
import org.idcguard.agent.testing.Waits;
import org.idcguard.agent.testing.WritablePrimaryWatch;
import org.idcguard.model.ClusterDetail;
import org.idcguard.model.GroupView;
import org.idcguard.model.NodeView;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * The two windows of intent recovery that once left a group unsafe, each hit by SIGKILLing the manager while a test
 * pause holds it there:
 * <ol>
 *   <li>a planned switch, after the old primaries were stopped and before any candidate was promoted: the group had no
 *       primary at all (the failover that was left to happen could never be decided);</li>
 *   <li>a takeover, after its promoting step was recorded and before the candidate's sync set was applied: the restarted
 *       manager promoted a candidate whose commits waited for no standby.</li>
 * </ol>
 * Each ends with one writable primary per group, fully protected, no acknowledged write lost and never two writable
 * primaries in a group.
 */
class IntentRecoveryWindowsTest extends OneClusterPerClass {
    IntentRecoveryWindowsTest() {
        super("Windows");
    }

    @Override
    protected LocalEstate startEstate() {
        return HaEstates.start(59, Map.of());
    }

    @Test
    @Order(1)
    void aSwitchKilledWithItsOldPrimariesStoppedGetsThemBack() throws Exception {
        String from = estate.detail(name).summary().primaryIdc();
        String to = estate.detail(name).summary().backupIdc();
        int groups = estate.detail(name).groups().size();
        try (WritablePrimaryWatch watch = new WritablePrimaryWatch(estate.detail(name))) {
            ProbeWorkload probe = new ProbeWorkload(estate.detail(name).uris().jdbc());
            probe.prepare();
            probe.start();
            killAndHoldAt("switch-stopped");
            long mark = estate.lastEventId();
            var answer = estate.api().post("/api/clusters/" + name + "/switch", "{\"to\":\"" + to + "\"}");
            assertEquals(202, answer.status(), answer.body());
            // every group stops its old primary at the same moment (a barrier), so each pauses here
            awaitOrSay(mark, Duration.ofSeconds(60), "every group's old primary is stopped and the manager pauses",
                    () -> pausesAfter(mark, "switch-stopped") == groups);
            estate.killManager();
            estate.startManager();
            awaitOrSay(mark, Duration.ofSeconds(60), "every group's switch is rolled back",
                    () -> estate.eventsAfter(mark, "failover.abandoned").size() == groups);
            HaEstates.awaitFullProtection(estate, name, Duration.ofSeconds(60));
            Waits.until(Duration.ofSeconds(30), "no intent is left open", () -> estate.api().get("/api/intents").json().isEmpty());
            ClusterDetail after = estate.detail(name);
            assertTrue(ClusterHealth.primariesOutside(after, to), "every primary is back in " + from + ": " + ClusterHealth.whatIsMissing(after));
            assertOneWritablePrimaryPerGroup(after);
            Thread.sleep(1000); // writes go on against the restarted primaries
            ProbeReport report = probe.stop();
            assertEquals(0, report.missing(), "acknowledged writes lost: " + report);
            assertTrue(report.acked() > 50, report.toString());
            assertEquals(List.of(), watch.violations(), "two writable primaries in one group");
        }
    }

    @Test
    @Order(2)
    void aTakeoverKilledBeforeItsSyncSetWasAppliedPromotesWithOne() throws Exception {
        ClusterDetail before = estate.detail(name);
        NodeView primary = ClusterHealth.primary(PrimaryFailureTest.shard(before)).orElseThrow();
        try (WritablePrimaryWatch watch = new WritablePrimaryWatch(before)) {
            ProbeWorkload probe = new ProbeWorkload(before.uris().jdbc());
            probe.prepare();
            probe.start();
            killAndHoldAt("promoting-sync-unset");
            long mark = estate.lastEventId();
            Thread.sleep(1000);
            PrimaryFailureTest.processTree(primary.pid()).forEach(ProcessHandle::destroyForcibly); // its node agent lives on
            awaitOrSay(mark, Duration.ofSeconds(60), "the manager pauses with the promoting step recorded",
                    () -> pausesAfter(mark, "promoting-sync-unset") == 1);
            JsonNode intent = estate.api().get("/api/intents").json().get(0);
            NodeView candidate = PrimaryFailureTest.shard(estate.detail(name)).nodes().stream()
                    .filter(n -> n.name().equals(intent.get("candidate").asText())).findFirst().orElseThrow();
            estate.killManager();
            // Watched from before the new manager starts, so that the first moment the candidate takes writes is seen:
            // the sync-set keeper may narrow the set by the policy soon after, which is its right, not the window.
            AtomicBoolean watching = new AtomicBoolean(true);
            // on a thread of its own: the common pool has a single thread on two cores, and this waits for a minute
            java.util.concurrent.ExecutorService watcher = java.util.concurrent.Executors.newSingleThreadExecutor();
            CompletableFuture<String> firstAsPrimary = CompletableFuture.supplyAsync(() -> firstSyncNamesAsPrimary(candidate, watching),
                    watcher);
            watcher.shutdown();
            try {
                estate.startManager();
                awaitOrSay(mark, Duration.ofSeconds(60), "the takeover is rolled forward",
                        () -> !estate.eventsAfter(mark, "failover.resumed").isEmpty());
                String syncNames;
                try {
                    syncNames = firstAsPrimary.get(30, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    StringBuilder seen = new StringBuilder();
                    estate.api().get("/api/events?after=" + mark).json().forEach(ev -> seen.append("\n  ").append(ev.get("kind").asText())
                            .append(": ").append(ev.get("message").asText()));
                    throw new AssertionError(candidate.name() + " was not seen out of recovery within 30 s of the roll-forward; "
                            + "events since:" + seen, e);
                }
                List<String> outside = PrimaryFailureTest.shard(estate.detail(name)).nodes().stream()
                        .filter(n -> !n.idc().equals(candidate.idc())).map(NodeView::name).toList();
                assertTrue(outside.stream().anyMatch(n -> syncNames.contains("\"" + n + "\"")), candidate.name() + " in "
                        + candidate.idc() + " took writes waiting for '" + syncNames + "', no standby outside its IDC " + outside);
            } finally {
                watching.set(false);
            }
            HaEstates.awaitFullProtection(estate, name, Duration.ofSeconds(90));
            Waits.until(Duration.ofSeconds(30), "no intent is left open", () -> estate.api().get("/api/intents").json().isEmpty());
            ClusterDetail after = estate.detail(name);
            assertEquals(candidate.name(), ClusterHealth.primary(PrimaryFailureTest.shard(after)).orElseThrow().name());
            assertOneWritablePrimaryPerGroup(after);
            ProbeReport report = probe.stop();
            assertEquals(0, report.missing(), "acknowledged writes lost: " + report);
            assertTrue(report.acked() > 50, report.toString());
            assertEquals(List.of(), watch.violations(), "two writable primaries in one group");
        }
    }

    /** Restarts the manager so that it pauses (for longer than the test lasts) at the step. */
    private void killAndHoldAt(String step) {
        estate.killManager();
        estate.startManager(Map.of("IDCGUARD_TEST_PAUSE_AT", step + ":120000"));
        try {
            HaEstates.awaitSettled(estate, name, Duration.ofSeconds(3), Duration.ofSeconds(60));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Waits; when the wait fails, the events since the mark say what happened instead. */
    private void awaitOrSay(long mark, Duration limit, String what, java.util.function.BooleanSupplier condition) {
        try {
            Waits.until(limit, what, condition);
        } catch (AssertionError e) {
            StringBuilder seen = new StringBuilder();
            estate.api().get("/api/events?after=" + mark).json().forEach(ev -> seen.append("\n  ").append(ev.get("kind").asText())
                    .append(": ").append(ev.get("message").asText()));
            throw new AssertionError(e.getMessage() + "; events since:" + seen, e);
        }
    }

    private long pausesAfter(long mark, String step) {
        return estate.eventsAfter(mark, "test.paused").stream().filter(e -> e.get("message").asText().equals(step)).count();
    }

    /** The node's synchronous_standby_names at the first probe (every 10 ms) that finds it out of recovery. */
    private String firstSyncNamesAsPrimary(NodeView node, AtomicBoolean watching) {
        try (Connection db = estate.superuser(node, node); Statement st = db.createStatement()) {
            while (watching.get()) {
                ResultSet rs = st.executeQuery("SELECT pg_is_in_recovery(), current_setting('synchronous_standby_names')");
                rs.next();
                if (!rs.getBoolean(1)) {
                    return rs.getString(2);
                }
                Thread.sleep(10);
            }
            throw new IllegalStateException(node.name() + " was never seen out of recovery");
        } catch (Exception e) {
            throw new IllegalStateException(node.name() + " could not be watched: " + e.getMessage(), e);
        }
    }

    /** Each group's recorded primary answers as a writable primary, and every other member answers in recovery. */
    private void assertOneWritablePrimaryPerGroup(ClusterDetail d) throws Exception {
        for (GroupView g : d.groups()) {
            NodeView p = ClusterHealth.primary(g).orElseThrow(() -> new AssertionError(g.name() + " has no single primary"));
            List<String> writable = new ArrayList<>();
            for (NodeView n : g.nodes()) {
                try (Connection db = estate.superuser(n, n); Statement st = db.createStatement()) {
                    ResultSet rs = st.executeQuery("SELECT NOT pg_is_in_recovery() AND current_setting('transaction_read_only') = 'off'");
                    rs.next();
                    if (rs.getBoolean(1)) {
                        writable.add(n.name());
                    }
                }
            }
            assertEquals(List.of(p.name()), writable, g.name() + ": the nodes that answer as writable primaries");
            assertFalse(p.name().isEmpty());
        }
    }
}
