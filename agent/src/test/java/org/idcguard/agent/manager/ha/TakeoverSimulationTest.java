package org.idcguard.agent.manager.ha;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import org.idcguard.agent.manager.MetadataStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The takeover engine under thousands of seeded storms ({@link TakeoverSimulation}). {@code -Dsim.seeds=N} runs more,
 * {@code -Dsim.seed=S} replays one and prints its trace; a failing seed prints its trace and how to replay it.
 */
class TakeoverSimulationTest {
    private static final int CHAOS_TICKS = 60;
    private static final int QUIET_TICKS = 60;
    private static MetadataStore store;

    /** The event log's own logger: a hundred thousand simulated events would bury the suite's log. */
    private static final ch.qos.logback.classic.Logger EVENTS =
            (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.idcguard.agent.manager.EventLog.class);
    private static ch.qos.logback.classic.Level eventsLevel;

    @BeforeAll
    static void open() {
        store = MetadataStore.inMemory("sim-" + ProcessHandle.current().pid());
        eventsLevel = EVENTS.getLevel();
        EVENTS.setLevel(ch.qos.logback.classic.Level.WARN);
    }

    @AfterAll
    static void close() {
        EVENTS.setLevel(eventsLevel);
        store.close();
    }

    @Test
    void noAcknowledgedCommitLostNoTwoPrimariesAndAPrimaryAgainOnceHealed() {
        String one = System.getProperty("sim.seed");
        long first = one == null ? Long.getLong("sim.first", 1) : Long.parseLong(one);
        int seeds = one == null ? Integer.getInteger("sim.seeds", 2000) : 1;
        long started = System.nanoTime();
        int takeovers = 0;
        int kills = 0;
        long acked = 0;
        int resumed = 0;
        int switches = 0;
        for (long seed = first; seed < first + seeds; seed++) {
            TakeoverSimulation.Outcome o = new TakeoverSimulation(seed, store).run(CHAOS_TICKS, QUIET_TICKS);
            if (one != null) {
                o.trace().forEach(System.out::println);
            }
            if (o.violation().isPresent()) {
                fail("seed " + seed + ": " + o.violation().get() + "\n" + String.join("\n", o.trace())
                        + "\nshrunk:\n" + String.join("\n", shrink(o, TakeoverSimulation.Reopened.NONE).trace())
                        + "\nreplay: ./idcguard test -Dtest=TakeoverSimulationTest -Dsim.seed=" + seed);
            }
            takeovers += o.takeovers();
            kills += o.managerKills();
            acked += o.acked();
            resumed += o.resumed();
            switches += o.switches();
        }
        System.out.printf("%d seeds, %d takeovers, %d planned switches, %d manager kills, %d promotions resumed by a restarted "
                + "manager, %d acknowledged commits checked, %.1f simulated hours, %d ms%n", seeds, takeovers, switches, kills, resumed, acked, seeds * (CHAOS_TICKS + QUIET_TICKS) * TakeoverSimulation.TICK_MILLIS / 3_600_000.0,
                (System.nanoTime() - started) / 1_000_000);
        assertTrue(takeovers > seeds / 10, "the storms made takeovers happen: " + takeovers + " in " + seeds + " seeds");
        assertTrue(kills > seeds / 10, "the manager was killed mid-way: " + kills);
        assertTrue(switches > seeds / 10, "planned switches finished: " + switches);
    }

    /**
     * The window the intent recovery closes, reopened on purpose: a takeover killed after its promoting step was
     * recorded and before the candidate's sync set was applied, rolled forward by a manager that promotes without
     * setting it. The new primary then acknowledges commits waiting for nobody.
     */
    @Test
    void findsThePromotionRolledForwardBeforeItsSyncSet() {
        findReopened(TakeoverSimulation.Reopened.SYNC_SET_BEFORE_PROMOTION);
    }

    /**
     * The pg_control timeline fallback, reopened on purpose: a standby that follows a promoted node reads the old
     * timeline until its next restartpoint, compares as behind, and the commits only it acknowledged are lost.
     */
    @Test
    void findsTheTimelineReadFromPgControl() {
        findReopened(TakeoverSimulation.Reopened.TIMELINE_FROM_PG_CONTROL);
    }

    /**
     * The fast-forward that promotes a DR standby, reopened on purpose: with the DR standby ahead of the backup IDC's
     * (it holds WAL nobody acknowledged), the takeover promotes it, in the DR city, which only a DBA may do.
     */
    @Test
    void findsTheDrStandbyPromotedByATakeover() {
        findReopened(TakeoverSimulation.Reopened.DR_STANDBY_MAY_LEAD);
    }

    /**
     * The switch killed between stop and promote, reopened on purpose: recovery abandons a switch whose candidate was
     * never promoted without starting the old primary, which the switch may have stopped; the group is left without a
     * primary.
     */
    @Test
    void findsTheSwitchAbandonedAfterItsStop() {
        findReopened(TakeoverSimulation.Reopened.SWITCH_ABANDONED_AFTER_STOP);
    }

    /** The failing run made as simple as it gets while it still fails the same way (a few hundred replays at most). */
    private static TakeoverSimulation.Outcome shrink(TakeoverSimulation.Outcome failed, TakeoverSimulation.Reopened window) {
        return Shrinker.shrink(choices -> new TakeoverSimulation(failed.seed(), store, window, Choices.replaying(choices))
                .run(CHAOS_TICKS, QUIET_TICKS), failed.choices(), failed, Integer.getInteger("sim.shrinkRuns", 300));
    }

    /** Searches from seed 1 until the window is found (it stops there, so a window found early costs little). */
    private static void findReopened(TakeoverSimulation.Reopened window) {
        int seeds = Integer.getInteger("sim.findSeeds", 10_000);
        for (long seed = 1; seed <= seeds; seed++) {
            TakeoverSimulation.Outcome o = new TakeoverSimulation(seed, store, window).run(CHAOS_TICKS, QUIET_TICKS);
            if (o.violation().isPresent()) {
                TakeoverSimulation.Outcome shrunk = shrink(o, window);
                System.out.println("found with " + window + " reopened, seed " + seed + " (" + o.trace().size() + " lines), shrunk to "
                        + shrunk.trace().size() + " lines: " + shrunk.violation().get() + "\n" + String.join("\n", shrunk.trace()));
                assertTrue(shrunk.trace().size() <= o.trace().size(), "the shrunk run is no longer than the run found");
                return;
            }
        }
        fail("the simulation did not find " + window + " reopened in " + seeds + " seeds");
    }
}
