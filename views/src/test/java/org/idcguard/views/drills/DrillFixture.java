package org.idcguard.views.drills;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.idcguard.model.DrillReport;

/**
 * A drill report captured from a real run: {@code ./idcguard drill} on a demo cluster of 16 shards (68 instances),
 * the primary IDC powered off, read back with {@code GET /api/drills/{id}} and cut to its first round.
 */
final class DrillFixture {
    private DrillFixture() {
    }

    static DrillReport sixteenShardPowerOff() {
        try (InputStream in = DrillFixture.class.getResourceAsStream("/drills/power-off-16-shards.json")) {
            return new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false).readValue(in, DrillReport.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
