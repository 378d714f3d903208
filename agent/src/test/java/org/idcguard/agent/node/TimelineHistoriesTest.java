package org.idcguard.agent.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TimelineHistoriesTest {
    @TempDir
    Path pgWal;

    @Test
    void missingAncestorsAreWrittenAsTheHeadOfTheNewestHistoryAndExistingFilesAreKept() throws Exception {
        // timeline 5 branched from 4, which branched from 2 (timeline 3 was abandoned), which branched from 1
        Files.writeString(pgWal.resolve("00000005.history"),
                "1\t0/3000000\tno recovery target specified\n2\t0/5000000\tno recovery target specified\n"
                        + "4\t0/7000000\tno recovery target specified\n");
        Files.writeString(pgWal.resolve("00000002.history"), "kept as it was\n");

        var written = TimelineHistories.fillAncestors(pgWal);

        assertEquals(1, written.size(), written.toString());
        assertEquals("1\t0/3000000\tno recovery target specified\n2\t0/5000000\tno recovery target specified\n",
                Files.readString(pgWal.resolve("00000004.history")));
        assertEquals("kept as it was\n", Files.readString(pgWal.resolve("00000002.history")));
        assertFalse(Files.exists(pgWal.resolve("00000003.history")), "an abandoned branch is no ancestor");
        assertFalse(Files.exists(pgWal.resolve("00000001.history")), "timeline 1 has no history file");
    }

    @Test
    void aDirectoryWithoutHistoryIsLeftAlone() throws Exception {
        Files.writeString(pgWal.resolve("000000010000000000000001"), "");
        assertEquals(0, TimelineHistories.fillAncestors(pgWal).size());
    }
}
