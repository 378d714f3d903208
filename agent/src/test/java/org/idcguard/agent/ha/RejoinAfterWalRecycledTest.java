package org.idcguard.agent.ha;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.idcguard.agent.drill.ClusterHealth;
import org.idcguard.agent.drill.IdcFault;
import org.idcguard.agent.testing.HaEstates;
import org.idcguard.agent.testing.LocalEstate;
import org.idcguard.agent.testing.Waits;
import org.idcguard.model.GroupView;
import org.idcguard.model.NodeView;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The old primary IDC comes back after the new primaries have recycled the WAL written since the takeover. A rewound
 * old primary then needs segments nobody has, and would never become consistent: it must be copied again at once
 * instead of waiting out the start timeout, so IDC protection comes back within a minute.
 */
@Tag("long")
class RejoinAfterWalRecycledTest {
    private static final String NAME = "Recycle";

    @Test
    void aRewoundNodeWhoseWalIsGoneIsCopiedAgainAndRejoins() throws Exception {
        try (LocalEstate estate = HaEstates.start(24, Map.of())) {
            HaEstates.createCluster(estate, NAME);
            new IdcFault(IdcFault.Kind.POWER_OFF, estate.access().computersOf("IDC1")).apply();
            Waits.until(Duration.ofSeconds(60), "every primary is outside IDC1",
                    () -> ClusterHealth.primariesOutside(estate.detail(NAME), "IDC1"));
            for (GroupView g : estate.detail(NAME).groups()) {
                recycleWal(estate, ClusterHealth.primary(g).orElseThrow());
            }
            estate.access().computersOf("IDC1").forEach(estate::startNode);
            HaEstates.awaitFullProtection(estate, NAME, Duration.ofSeconds(75));
            assertFalse(estate.events("node.rejoined").stream().noneMatch(e -> e.get("message").asText().contains("no longer had the WAL")),
                    "an old primary was copied again because its WAL was gone: " + estate.events("node.rejoined"));
        }
    }

    /** The primary keeps no spare WAL and moves past several segments, each removed at the next checkpoint. */
    private static void recycleWal(LocalEstate estate, NodeView primary) throws Exception {
        String password = specOf(estate, primary.name()).get("superuserPassword").asText();
        String user = specOf(estate, primary.name()).get("superuser").asText();
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + primary.address() + ":" + primary.port()
                + "/postgres?user=" + user + "&password=" + password); Statement st = c.createStatement()) {
            st.execute("ALTER SYSTEM SET wal_keep_size = 0");
            st.execute("SELECT pg_reload_conf()");
            st.execute("CREATE TABLE IF NOT EXISTS wal_filler (id bigserial, pad text)");
            for (int i = 0; i < 6; i++) {
                st.execute("INSERT INTO wal_filler (pad) SELECT repeat('x', 200) FROM generate_series(1, 2000)");
                st.execute("SELECT pg_switch_wal()");
                st.execute("CHECKPOINT");
            }
        }
    }

    private static JsonNode specOf(LocalEstate estate, String node) throws Exception {
        Path spec = estate.instanceFiles().stream().filter(p -> p.getFileName().toString().equals(node + ".json")).findFirst()
                .orElseThrow(() -> new AssertionError("no instance spec for " + node));
        return new ObjectMapper().readTree(spec.toFile());
    }
}
