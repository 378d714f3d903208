package org.idcguard.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import org.idcguard.agent.home.AgentHome;
import org.idcguard.agent.testing.AgentProcess;
import org.idcguard.agent.testing.ApiCaller;
import org.idcguard.agent.testing.ApiCaller.Answer;
import org.idcguard.agent.testing.TempHome;
import org.idcguard.agent.testing.Waits;
import org.idcguard.agent.tls.TlsIdentity;
import org.idcguard.model.ManagerTrust;
import org.junit.jupiter.api.Test;

/**
 * Computers on their own hosts: a node agent in its own home enrols with a one-time code and from then on serves only
 * the manager that enrolled it, over mutual TLS. Another manager, a client without a certificate and another
 * enrolled node are all refused; a code works once and only against the manager that made it.
 */
class EnrolmentTest {
    private static final String MANAGER_A = "127.0.29.1";
    private static final String MANAGER_B = "127.0.29.2";
    private static final String NODE = "127.0.29.3";
    private static final String OTHER_NODE = "127.0.29.4";

    @Test
    void aNodeEnrolledWithOneManagerServesItAndRefusesEveryoneElse() throws Exception {
        try (TempHome homeA = new TempHome(); TempHome homeB = new TempHome(); TempHome nodeHome = new TempHome();
             TempHome otherNodeHome = new TempHome();
             AgentProcess managerA = AgentProcess.start(homeA.dir(), "manager", "--listen", MANAGER_A, "--port", "0");
             AgentProcess managerB = AgentProcess.start(homeB.dir(), "manager", "--listen", MANAGER_B, "--port", "0")) {
            ApiCaller a = new ApiCaller(homeA.dir());
            ApiCaller b = new ApiCaller(homeB.dir());
            Waits.until(Duration.ofSeconds(30), "both managers answer", () -> Files.exists(homeA.dir().resolve("manager.url"))
                    && Files.exists(homeB.dir().resolve("manager.url")) && a.managerAnswers() && b.managerAnswers());
            String urlA = Files.readString(homeA.dir().resolve("manager.url")).strip();
            String urlB = Files.readString(homeB.dir().resolve("manager.url")).strip();
            assertEquals("https://" + MANAGER_A, urlA.substring(0, urlA.lastIndexOf(':')));

            Answer made = a.post("/api/join-codes", "{\"address\":\"" + NODE + "\"}"); // for that computer alone
            assertEquals(201, made.status(), made.body());
            String code = made.json().get("code").asText();
            assertTrue(a.get("/api/events").body().contains("computer.join-code"));
            assertTrue(!a.get("/api/events").body().contains(code.substring(5, 37)), "the secret is never in an event");

            // the code names manager A's CA: pointed at manager B, the node stops before it sends the secret
            try (AgentProcess misdirected = AgentProcess.start(nodeHome.dir(), "node", "--address", NODE,
                    "--manager", urlB, "--join", code)) {
                assertEquals(1, misdirected.exitCode(Duration.ofSeconds(30)), misdirected.logTail());
                assertTrue(misdirected.logTail().contains("not the manager the join code was made by"), misdirected.logTail());
            }

            // bound to NODE, the code enrols no other address, and is not spent by the try
            try (AgentProcess stranger = AgentProcess.start(otherNodeHome.dir(), "node", "--address", OTHER_NODE,
                    "--manager", urlA, "--join", code)) {
                assertEquals(1, stranger.exitCode(Duration.ofSeconds(30)), stranger.logTail());
                assertTrue(stranger.logTail().contains("made for another address"), stranger.logTail());
            }
            assertTrue(Files.notExists(new AgentHome(otherNodeHome.dir()).nodeIdentityFile(OTHER_NODE)));

            try (AgentProcess node = AgentProcess.start(nodeHome.dir(), "node", "--address", NODE, "--manager", urlA,
                    "--join", code)) {
                Waits.until(Duration.ofSeconds(30), "the enrolled node agent is added by manager A",
                        () -> a.post("/api/computers", "{\"address\":\"" + NODE + "\"}").status() == 201);
                assertEquals("REACHABLE", a.get("/api/computers/" + NODE).json().get("status").asText());
                assertTrue(a.get("/api/events").body().contains("computer.enrolled"));

                // the code is spent: a second computer cannot enrol with it
                try (AgentProcess second = AgentProcess.start(otherNodeHome.dir(), "node", "--address", OTHER_NODE,
                        "--manager", urlA, "--join", code)) {
                    assertEquals(1, second.exitCode(Duration.ofSeconds(30)), second.logTail());
                    assertTrue(second.logTail().contains("unknown, expired, already used or made for another address"), second.logTail());
                }
                assertTrue(Files.notExists(new AgentHome(otherNodeHome.dir()).nodeIdentityFile(OTHER_NODE)));

                // manager B did not enrol it: the node agent refuses B in the handshake, and B says so in one sentence
                Answer refused = b.post("/api/computers", "{\"address\":\"" + NODE + "\"}");
                assertTrue(refused.status() >= 400 && refused.status() < 500, refused.body());
                assertEquals("[]", b.get("/api/computers").body().replaceAll("\\s", ""));

                String instances = "https://" + NODE + ":7481/api/instances";
                TlsIdentity identityB = TlsIdentity.load(new AgentHome(homeB.dir()).managerIdentityFile()).orElseThrow();
                assertThrows(javax.net.ssl.SSLHandshakeException.class, () -> get(identityB.sslContext(), instances));
                // trusting A's CA but showing no certificate
                SSLContext anonymous = ManagerTrust.sslContext(homeA.dir().resolve("tls").resolve("ca.crt"));
                assertThrows(java.io.IOException.class, () -> get(anonymous, instances));
                // a certificate of A's CA that is not the manager's (the node's own) gets 403
                TlsIdentity nodeIdentity = TlsIdentity.load(new AgentHome(nodeHome.dir()).nodeIdentityFile(NODE)).orElseThrow();
                assertEquals(403, get(nodeIdentity.sslContext(), instances));
                TlsIdentity identityA = TlsIdentity.load(new AgentHome(homeA.dir()).managerIdentityFile()).orElseThrow();
                assertEquals(200, get(identityA.sslContext(), instances));
                assertNotEquals(identityA.ca(), identityB.ca());
            }

            // restarted without a code, it serves with the certificate it holds
            try (AgentProcess again = AgentProcess.start(nodeHome.dir(), "node", "--address", NODE)) {
                Waits.until(Duration.ofSeconds(30), "the node agent is reachable again after its restart",
                        () -> "REACHABLE".equals(a.get("/api/computers/" + NODE).json().get("status").asText()));
            }
            assertEquals(204, a.delete("/api/computers/" + NODE).status());
        }
    }

    private static int get(SSLContext tls, String url) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(tls)
                .connectTimeout(Duration.ofSeconds(5)).build();
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
