package org.idcguard.agent.manager.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.idcguard.agent.home.AgentHome;
import org.idcguard.agent.manager.MetadataStore;
import org.idcguard.agent.manager.SecretColumns;
import org.idcguard.agent.tls.CertificateAuthority;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The clusters' passwords are encrypted in the metadata under a key only the home's CA gives. */
class SealedPasswordsTest {
    private static final String APP = "AppSecret0123456789abcdef";
    private static final String SUPER = "SuperSecret0123456789abcd";

    @Test
    void theMetadataFilesHoldNoPasswordInClearAndAnotherCaCannotReadThem(@TempDir Path dir) throws Exception {
        SecretColumns.useKey(CertificateAuthority.loadOrCreate(new AgentHome(dir.resolve("home"))).derivedKey("idcguard metadata secrets v1"));
        ClusterRepository clusters = new ClusterRepository();
        try (MetadataStore store = MetadataStore.open(dir.resolve("metadata"))) {
            store.inTransaction(c -> {
                c.createStatement().execute("INSERT INTO idc (name, province, city) VALUES ('IDC1', 'Guangdong', 'Shenzhen'), "
                        + "('IDC2', 'Guangdong', 'Shenzhen')");
                clusters.insert(c, record("Sealed"));
                // as an older version wrote it
                try (var st = c.prepareStatement("UPDATE cluster SET app_password = ?, superuser_password = ? WHERE name = ?")) {
                    clusters.insert(c, record("Clear"));
                    st.setString(1, APP);
                    st.setString(2, SUPER);
                    st.setString(3, "Clear");
                    st.executeUpdate();
                }
                return null;
            });
            assertEquals(APP, store.inTransaction(c -> clusters.find(c, "Clear")).orElseThrow().appPassword(), "a clear row still reads");
            assertEquals(1, store.inTransaction(clusters::sealClearPasswords), "the clear row is encrypted");
            assertEquals(0, store.inTransaction(clusters::sealClearPasswords), "once");
            for (String name : List.of("Sealed", "Clear")) {
                ClusterRecord read = store.inTransaction(c -> clusters.find(c, name)).orElseThrow();
                assertEquals(APP, read.appPassword());
                assertEquals(SUPER, read.superuserPassword());
            }
            try (var c = store.connection(); var rs = c.createStatement().executeQuery("SELECT app_password, superuser_password FROM cluster")) {
                while (rs.next()) {
                    assertTrue(rs.getString(1).startsWith("enc:v1:") && rs.getString(2).startsWith("enc:v1:"), rs.getString(1));
                }
            }
            store.inTransaction(c -> c.createStatement().execute("CHECKPOINT SYNC"));
        }
        try (Stream<Path> files = Files.walk(dir.resolve("metadata"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String bytes = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                assertFalse(bytes.contains(SUPER) || bytes.contains(APP), file + " holds a password in clear");
            }
        }
        // a manager with another CA reads nothing
        SecretColumns.useKey(CertificateAuthority.loadOrCreate(new AgentHome(dir.resolve("other"))).derivedKey("idcguard metadata secrets v1"));
        try (MetadataStore store = MetadataStore.open(dir.resolve("metadata"))) {
            IllegalStateException refused = assertThrows(IllegalStateException.class,
                    () -> store.inTransaction(c -> clusters.find(c, "Sealed")));
            assertTrue(refused.getMessage().contains("tls/ca.p12"), refused.getMessage());
        }
    }

    private static ClusterRecord record(String name) {
        return new ClusterRecord(name, "intra-city", "Shenzhen", "IDC1", "IDC2", 1, 1, "app", "app", APP, "postgres", SUPER,
                "available", "running", List.of(), null);
    }
}
