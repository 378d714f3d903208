package org.idcguard.app;

import org.idcguard.client.HttpManagerApi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.idcguard.agent.home.AgentHome;
import org.idcguard.agent.manager.server.ManagerServer;
import org.idcguard.model.ApiException;
import org.idcguard.model.HomeLayout;
import org.idcguard.model.Idc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The console's HTTP client against a real manager: answers, refusals with their field, and a lost manager. */
class HttpManagerApiTest {
    private Path home;
    private ManagerServer manager;

    @BeforeEach
    void start() throws IOException {
        home = Files.createTempDirectory("idcguard-app-test-");
        manager = ManagerServer.start(new AgentHome(home), "127.0.0.1", 0);
    }

    @AfterEach
    void stop() throws IOException {
        if (manager != null) {
            manager.close();
        }
        try (Stream<Path> files = Files.walk(home)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void connectsThroughTheHomeFilesAndAddsAnIdc() {
        HttpManagerApi api = new ManagerConnection(new HomeLayout(home), null).existing().orElseThrow();
        Idc added = api.addIdc(new Idc("IDC1", "guangdong", "shenzhen"));
        assertEquals(new Idc("IDC1", "Guangdong", "Shenzhen"), added);
        assertEquals(1, api.idcs().size());
    }

    @Test
    void refusalCarriesTheManagersSentenceAndField() {
        HttpManagerApi api = new ManagerConnection(new HomeLayout(home), null).existing().orElseThrow();
        api.addIdc(new Idc("IDC1", "Guangdong", "Shenzhen"));
        ApiException e = assertThrows(ApiException.class, () -> api.addIdc(new Idc("IDC1", "Guangdong", "Shenzhen")));
        assertEquals(409, e.status());
        assertEquals("name", e.field());
        assertEquals("An IDC named IDC1 already exists.", e.getMessage());
    }

    @Test
    void aStoppedManagerIsReportedAsUnreachableNotAsAHang() {
        HttpManagerApi api = new ManagerConnection(new HomeLayout(home), null).existing().orElseThrow();
        manager.close();
        manager = null;
        ApiException e = assertThrows(ApiException.class, api::idcs);
        assertTrue(e.isUnreachable());
        assertFalse(api.answers());
    }

    @Test
    void withoutALauncherAMissingManagerIsOneSentence() throws IOException {
        Path empty = Files.createTempDirectory("idcguard-empty-");
        try {
            ApiException e = assertThrows(ApiException.class,
                    () -> new ManagerConnection(new HomeLayout(empty), null).connectOrStart());
            assertTrue(e.getMessage().startsWith("No manager answers for "), e.getMessage());
        } finally {
            Files.deleteIfExists(empty);
        }
    }
}
