package org.idcguard.agent.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.idcguard.agent.drill.ClusterHealth;
import org.idcguard.agent.drill.IdcFault;
import org.idcguard.agent.drill.ProbeReport;
import org.idcguard.agent.drill.ProbeWorkload;
import org.idcguard.agent.testing.HaEstates;
import org.idcguard.agent.testing.LocalEstate;
import org.idcguard.agent.testing.OneClusterPerClass;
import org.idcguard.agent.testing.Waits;
import org.idcguard.agent.testing.WritablePrimaryWatch;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * The manager is SIGKILLed at every recorded step of a takeover and of a planned switch (a test pause holds it at the
 * step; the kill comes while it waits there). Each time a new manager resumes or rolls back by the step's rule, and
 * the cluster ends with one primary per group, fully protected; across all of it the probe workload loses nothing and
 * no group ever has two writable primaries.
 */
class ManagerKilledAtEveryStepTest extends OneClusterPerClass {
    private static final String NAME = "Midway";
    /** The rule each step resumes by, as the event it records: rolled back before any promotion, forward after. */
    private static final Map<String, String> RULE = Map.of("detaching", "failover.rolled-back", "detached", "failover.rolled-back",
            "promoting", "failover.resumed", "promoted", "failover.resumed", "switch-chosen", "failover.rolled-back",
            "switch-promoting", "failover.abandoned", "switch-promoted", "failover.resumed");

    ManagerKilledAtEveryStepTest() {
        super(NAME);
    }

    @Override
    protected LocalEstate startEstate() {
        return HaEstates.start(16, Map.of());
    }

    @Test
    @org.junit.jupiter.api.Tag("long")
    @Order(1)
    void everyStepOfATakeoverResumesOrRollsBackAfterAKill() throws Exception {
        run(List.of("detaching", "detached", "promoting", "promoted"), ManagerKilledAtEveryStepTest::powerOffPrimaryIdc);
    }

    @Test
    @org.junit.jupiter.api.Tag("long")
    @Order(2)
    void everyStepOfAPlannedSwitchResumesOrRollsBackAfterAKill() throws Exception {
        run(List.of("switch-chosen", "switch-promoting", "switch-promoted"), ManagerKilledAtEveryStepTest::startSwitch);
    }

    private interface Fault {
        /** Starts the operation that will pause; returns the IDC it powered off, or null. */
        String begin(LocalEstate estate) throws Exception;
    }

    private void run(List<String> steps, Fault fault) throws Exception {
        try (WritablePrimaryWatch watch = new WritablePrimaryWatch(estate.detail(NAME))) {
            ProbeWorkload probe = new ProbeWorkload(estate.detail(NAME).uris().jdbc());
            probe.prepare();
            probe.start();
            for (String step : steps) {
                estate.killManager();
                estate.startManager(Map.of("IDCGUARD_TEST_PAUSE_AT", step + ":120000"));
                HaEstates.awaitFullProtection(estate, NAME, Duration.ofSeconds(60));
                String before = estate.detail(NAME).summary().primaryIdc();
                String poweredOff = fault.begin(estate);
                Waits.until(Duration.ofSeconds(60), "the manager pauses at " + step,
                        () -> !estate.events("test.paused", step).isEmpty());
                int ruledBefore = estate.events(RULE.get(step)).size();
                estate.killManager();
                estate.startManager();
                Waits.until(Duration.ofSeconds(60), "the intent left at " + step + " is resolved by its rule (" + RULE.get(step) + ")",
                        () -> estate.events(RULE.get(step)).size() > ruledBefore);
                if (poweredOff != null) {
                    String failed = poweredOff;
                    Waits.until(Duration.ofSeconds(60), "every primary is outside " + failed + " after a kill at " + step,
                            () -> ClusterHealth.primariesOutside(estate.detail(NAME), failed));
                    estate.access().computersOf(failed).forEach(estate::startNode);
                }
                HaEstates.awaitFullProtection(estate, NAME, Duration.ofSeconds(120));
                Waits.until(Duration.ofSeconds(30), "no intent is left open after " + step, () -> openIntents(estate) == 0);
                if (poweredOff != null) {
                    Waits.until(Duration.ofSeconds(10), "the IDCs swapped roles",
                            () -> !estate.detail(NAME).summary().primaryIdc().equals(before));
                }
                assertTrue(probe.ackedCount() > 0);
            }
            ProbeReport report = probe.stop();
            assertEquals(0, report.missing(), "acknowledged writes lost: " + report);
            assertTrue(report.acked() > 100, report.toString());
            assertEquals(List.of(), watch.violations(), "two writable primaries in one group");
        }
    }

    private static String powerOffPrimaryIdc(LocalEstate estate) {
        String idc = estate.detail(NAME).summary().primaryIdc();
        new IdcFault(IdcFault.Kind.POWER_OFF, estate.access().computersOf(idc)).apply();
        return idc;
    }

    private static String startSwitch(LocalEstate estate) {
        String to = estate.detail(NAME).summary().backupIdc();
        var answer = estate.api().post("/api/clusters/" + NAME + "/switch", "{\"to\":\"" + to + "\"}");
        assertEquals(202, answer.status(), answer.body());
        return null;
    }

    private static int openIntents(LocalEstate estate) {
        return estate.api().get("/api/intents").json().size();
    }
}
