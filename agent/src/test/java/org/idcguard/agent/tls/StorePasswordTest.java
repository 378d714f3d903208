package org.idcguard.agent.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.util.List;
import org.idcguard.agent.home.AgentHome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A key store at rest is locked with its own random password, not one every install shares. */
class StorePasswordTest {

    @Test
    void aSavedIdentityOpensOnlyWithItsFoldersPassword(@TempDir Path dir) throws Exception {
        CertificateAuthority ca = CertificateAuthority.loadOrCreate(new AgentHome(dir.resolve("home")));
        TlsIdentity node = ca.issue(CertificateAuthority.nodeName("127.0.0.9"), List.of("127.0.0.9"), List.of());
        Path file = dir.resolve("a").resolve("node.p12");
        node.save(file);

        Path passwordFile = file.getParent().resolve("node.password");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(passwordFile)));
        String password = Files.readString(passwordFile).strip();
        assertEquals(32, password.length());
        assertThrows(java.io.IOException.class, () -> open(file, "idcguard"), "the old constant opens nothing");
        assertEquals(node.certificate(), TlsIdentity.load(file).orElseThrow().certificate());

        // another store gets another password
        Path other = dir.resolve("a").resolve("other.p12");
        node.save(other);
        assertNotEquals(password, Files.readString(other.getParent().resolve("other.password")).strip());
        // a store copied with its password file (the CA to another manager) opens there
        Path copied = Files.createDirectories(dir.resolve("b")).resolve("node.p12");
        Files.copy(file, copied);
        Files.copy(passwordFile, copied.resolveSibling("node.password"));
        assertEquals(node.certificate(), TlsIdentity.load(copied).orElseThrow().certificate());
        // the file's key is locked under the same password as the file
        open(file, password);
    }

    @Test
    void aStoreWrittenBeforeStoresHadPasswordsStillLoads(@TempDir Path dir) throws Exception {
        CertificateAuthority ca = CertificateAuthority.loadOrCreate(new AgentHome(dir.resolve("home")));
        TlsIdentity node = ca.issue(CertificateAuthority.nodeName("127.0.0.9"), List.of("127.0.0.9"), List.of());
        Path file = dir.resolve("old").resolve("node.p12");
        Files.createDirectories(file.getParent());
        KeyStore legacy = KeyStore.getInstance("PKCS12");
        legacy.load(null, null);
        legacy.setKeyEntry("identity", node.key(), "idcguard".toCharArray(), new java.security.cert.Certificate[] {node.certificate(), node.ca()});
        try (var out = Files.newOutputStream(file)) {
            legacy.store(out, "idcguard".toCharArray());
        }
        assertEquals(node.certificate(), TlsIdentity.load(file).orElseThrow().certificate());
        // and with other stores written beside it since, it still loads
        node.save(file.getParent().resolve("other.p12"));
        assertEquals(node.certificate(), TlsIdentity.load(file).orElseThrow().certificate());
    }

    private static KeyStore open(Path file, String password) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password.toCharArray());
        }
        store.getKey("identity", password.toCharArray());
        return store;
    }
}
