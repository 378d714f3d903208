package org.idcguard.agent.node;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.idcguard.agent.node.HealthChecks.Sender;
import org.junit.jupiter.api.Test;

/** The rows of the {@code /primary} decision: the lease, then only the standbys a commit waits for. */
class PrimaryCheckDecisionTest {
    private static final Sender LOCAL_ASYNC = new Sender("p-local", "streaming", "async");
    private static final Sender DR_ASYNC = new Sender("p-dr", "streaming", "async");
    private static final Sender BACKUP_QUORUM = new Sender("p-backup", "streaming", "quorum");

    @Test
    void withinTheLeaseTheRecordIsEnough() {
        assertTrue(HealthChecks.primaryAnswers(true, true, true, List.of()));
    }

    @Test
    void aPrimaryTheRecordDoesNotNameIsRefusedWhateverStreams() {
        assertFalse(HealthChecks.primaryAnswers(true, false, true, List.of(BACKUP_QUORUM)));
        assertFalse(HealthChecks.primaryAnswers(false, true, true, List.of(BACKUP_QUORUM)), "a standby or a stopped instance");
    }

    @Test
    void afterTheLeaseAStreamingSynchronousStandbyConfirmsThePrimary() {
        assertTrue(HealthChecks.primaryAnswers(true, true, false, List.of(LOCAL_ASYNC, BACKUP_QUORUM)));
        assertTrue(HealthChecks.primaryAnswers(true, true, false, List.of(new Sender("b", "streaming", "sync"))));
        assertTrue(HealthChecks.primaryAnswers(true, true, false, List.of(new Sender("b", "streaming", "potential"))),
                "named in FIRST n (...), next in line: a commit waits for it as soon as the one ahead goes");
    }

    @Test
    void afterTheLeaseAsynchronousStandbysConfirmNothing() {
        // a primary IDC cut off from the backup IDC and the manager keeps its local and DR-city standbys streaming
        assertFalse(HealthChecks.primaryAnswers(true, true, false, List.of(LOCAL_ASYNC, DR_ASYNC)));
    }

    @Test
    void afterTheLeaseAnEmptySyncSetConfirmsNothing() {
        // synchronous_standby_names = '': PostgreSQL reports every sender async; the fenced value names nobody either
        assertFalse(HealthChecks.primaryAnswers(true, true, false, List.of(new Sender("b", "streaming", "async"))));
        assertFalse(HealthChecks.primaryAnswers(true, true, false, List.of()));
    }

    @Test
    void afterTheLeaseASynchronousStandbyThatDoesNotStreamYetConfirmsNothing() {
        assertFalse(HealthChecks.primaryAnswers(true, true, false, List.of(new Sender("b", "catchup", "quorum"))));
        assertFalse(HealthChecks.primaryAnswers(true, true, false, List.of(new Sender("b", "startup", "quorum"))));
    }
}
