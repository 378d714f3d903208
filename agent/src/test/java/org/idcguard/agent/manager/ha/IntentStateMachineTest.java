package org.idcguard.agent.manager.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.idcguard.agent.manager.MetadataStore;
import org.junit.jupiter.api.Test;

/** Each intent kind's state machine: the moves it allows, and the store refusing any other. */
class IntentStateMachineTest {

    private static List<String> moves(IntentKind kind) {
        List<String> moves = new ArrayList<>();
        for (IntentStep from : IntentStep.values()) {
            for (IntentStep to : IntentStep.values()) {
                if (kind.allows(from, to)) {
                    moves.add(from + ">" + to);
                }
            }
        }
        return moves;
    }

    @Test
    void aTakeoverDetachesBeforeItPromotesAndEndsDoneOnlyFromPromoting() {
        assertEquals(List.of("chosen>detached", "chosen>promoting", "chosen>abandoned", "detached>promoting", "detached>abandoned",
                "promoting>done", "promoting>abandoned"), moves(IntentKind.FAILOVER));
    }

    @Test
    void aSwitchAndADrPromotionNeverDetach() {
        List<String> expected = List.of("chosen>promoting", "chosen>abandoned", "promoting>done", "promoting>abandoned");
        assertEquals(expected, moves(IntentKind.SWITCH));
        assertEquals(expected, moves(IntentKind.DR));
    }

    @Test
    void anUnknownKindOrStepIsNeverMovedAndAnEndedIntentNeverAgain() {
        assertEquals(List.of(), moves(IntentKind.UNKNOWN));
        for (IntentKind kind : IntentKind.values()) {
            for (IntentStep to : IntentStep.values()) {
                assertFalse(kind.allows(IntentStep.DONE, to));
                assertFalse(kind.allows(IntentStep.ABANDONED, to));
                assertFalse(kind.allows(IntentStep.UNKNOWN, to));
            }
        }
    }

    @Test
    void everyStepOfEveryKindSaysWhatItMayHaveChanged() {
        for (IntentKind kind : IntentKind.values()) {
            for (IntentStep step : IntentStep.values()) {
                assertFalse(kind.meaning(step).isBlank());
            }
        }
        assertTrue(IntentKind.SWITCH.meaning(IntentStep.PROMOTING).contains("old primary may be stopped"));
    }

    @Test
    void theStoreRefusesAMoveTheKindDoesNotAllowAndChangesNothing() {
        try (MetadataStore store = MetadataStore.inMemory("intents-" + ProcessHandle.current().pid())) {
            FailoverIntents intents = new FailoverIntents();
            long id = store.inTransaction(c -> intents.insert(c, new FailoverIntents.Opening(IntentKind.SWITCH, "c", "g", "p", "b1",
                    "test")));
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> store.inTransaction(c -> {
                intents.step(c, id, IntentStep.DETACHED);
                return null;
            }));
            assertEquals("intent " + id + " (switch) cannot move from chosen to detached", refused.getMessage());
            assertEquals(IntentStep.CHOSEN, store.inTransaction(intents::unfinished).get(0).step());
            store.inTransaction(c -> {
                intents.step(c, id, IntentStep.PROMOTING);
                intents.end(c, id, IntentStep.DONE, "done");
                return null;
            });
            assertThrows(IllegalStateException.class, () -> store.inTransaction(c -> {
                intents.end(c, id, IntentStep.ABANDONED, "again");
                return null;
            }));
            assertTrue(store.inTransaction(intents::unfinished).isEmpty());
        }
    }
}
