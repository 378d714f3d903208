package org.idcguard.agent.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.idcguard.agent.http.ApiFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node agent's fencing token: older epochs refused, and no way around it by leaving the epoch out. */
class EpochFenceTest {

    @Test
    void aSoleManagersCommandsCarryNoEpochAndAreAdmittedUntilAQuorumHasSpoken(@TempDir Path dir) {
        EpochFence fence = new EpochFence(dir.resolve("manager.epoch"));
        fence.admit(null, true);
        fence.admit("", true);
        assertEquals(0, fence.newest(), "a sole manager raises nothing");
    }

    @Test
    void onceAQuorumCommandedAChangeWithoutAnEpochIsRefusedAndAReadIsNot(@TempDir Path dir) {
        EpochFence fence = new EpochFence(dir.resolve("manager.epoch"));
        fence.admit("7", true);
        ApiFailure refused = assertThrows(ApiFailure.class, () -> fence.admit(null, true));
        assertEquals(409, refused.status());
        assertTrue(refused.getMessage().contains("carries no manager epoch"), refused.getMessage());
        fence.admit(null, false); // a listing or a health look
        assertThrows(ApiFailure.class, () -> new EpochFence(dir.resolve("manager.epoch")).admit(" ", true),
                "the mark outlives a restart of the node agent");
    }

    @Test
    void anOlderEpochIsRefusedAndANewerOneRaisesTheMark(@TempDir Path dir) {
        EpochFence fence = new EpochFence(dir.resolve("manager.epoch"));
        fence.admit("7", true);
        assertEquals(409, assertThrows(ApiFailure.class, () -> fence.admit("6", false)).status());
        fence.admit("8", true);
        assertEquals(8, fence.newest());
        assertEquals(400, assertThrows(ApiFailure.class, () -> fence.admit("eight", true)).status());
    }
}
