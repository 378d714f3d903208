package org.idcguard.agent.manager.ha;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The simulation's choices draw what java.util.Random draws for the same seed, and replay what they drew. */
class ChoicesTest {

    @Test
    void aSeedDrawsWhatRandomDrawsAndItsDrawsReplay() {
        Random plain = new Random(6941);
        Choices seeded = Choices.seeded(6941);
        for (int i = 0; i < 1000; i++) {
            assertEquals(plain.nextInt(7), seeded.nextInt(7));
            assertEquals(plain.nextDouble(), seeded.nextDouble());
            assertEquals(plain.nextBoolean(), seeded.nextBoolean());
        }
        Choices again = Choices.replaying(seeded.drawn());
        Random plainAgain = new Random(6941);
        for (int i = 0; i < 1000; i++) {
            assertEquals(plainAgain.nextInt(7), again.nextInt(7));
            assertEquals(plainAgain.nextDouble(), again.nextDouble());
            assertEquals(plainAgain.nextBoolean(), again.nextBoolean());
        }
        assertArrayEquals(seeded.drawn(), again.drawn());
    }

    @Test
    void aReplayThatRunsOutAnswersTheQuietChoice() {
        Choices replay = Choices.replaying(new int[] {5});
        assertEquals(5, replay.nextInt(6));
        assertEquals(0, replay.nextInt(6));
        assertEquals(0.0, replay.nextDouble());
        assertEquals(false, replay.nextBoolean());
    }
}
