package org.idcguard.agent.manager.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.Statement;
import java.util.List;
import org.idcguard.agent.manager.MetadataStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The metadata store itself refuses a second recorded primary in a group, whatever code asks for it. */
class OnePrimaryPerGroupTest {
    private final ClusterRepository clusters = new ClusterRepository();

    @Test
    void aSecondPrimaryInAGroupIsRefusedAndTheRoleMovesOnlyDemoteFirst(@TempDir Path dir) {
        try (MetadataStore store = MetadataStore.open(dir)) {
            store.inTransaction(c -> {
                try (Statement st = c.createStatement()) {
                    st.execute("INSERT INTO idc VALUES ('IDC1', 'Guangdong', 'Shenzhen'), ('IDC2', 'Guangdong', 'Shenzhen')");
                    st.execute("INSERT INTO computer VALUES ('10.0.0.1', 'http://10.0.0.1:7481', 'IDC1', 'reachable', 2, 1, 1, '15', '', 0)");
                }
                clusters.insert(c, new ClusterRecord("c", "intra-city", "Shenzhen", "IDC1", "IDC2", 1, 1, "app", "app", "pw", "admin",
                        "pw", "available", ClusterRecord.RUNNING));
                clusters.insertGroup(c, new GroupRecord("c", "g", "shard", 1, List.of(), 0));
                clusters.insertNode(c, node("n1", 5432, "primary"));
                clusters.insertNode(c, node("n2", 5433, "standby"));
                return null;
            });
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> store.inTransaction(c -> {
                clusters.setRole(c, "n2", "primary", false);
                return null;
            }));
            assertTrue(refused.getCause() instanceof SQLIntegrityConstraintViolationException, refused.toString());
            assertTrue(refused.getMessage().contains("NODE_ONE_PRIMARY_PER_GROUP"), refused.getMessage());
            store.inTransaction(c -> {
                clusters.setRole(c, "n1", "standby", true);
                clusters.setRole(c, "n2", "primary", false);
                return null;
            });
            List<NodeRecord> nodes = store.inTransaction(c -> clusters.nodes(c, "c"));
            assertEquals(List.of("n2"), nodes.stream().filter(NodeRecord::isPrimary).map(NodeRecord::name).toList());
        }
    }

    private static NodeRecord node(String name, int port, String role) {
        return new NodeRecord(name, "c", "g", "IDC1", "10.0.0.1", null, port, "", role, false);
    }
}
