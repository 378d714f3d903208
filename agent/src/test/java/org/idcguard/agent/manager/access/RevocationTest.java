package org.idcguard.agent.manager.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.idcguard.agent.drill.ClusterHealth;
import org.idcguard.agent.home.AgentHome;
import org.idcguard.agent.testing.LocalEstate;
import org.idcguard.agent.testing.Waits;
import org.idcguard.agent.tls.TlsIdentity;
import org.idcguard.model.HealthPorts;
import org.idcguard.model.NodeView;
import org.junit.jupiter.api.Test;

/**
 * Revocation on real node agents: a router certificate replaced by a new one for the same route, and the certificate
 * of a computer that was removed, are refused at the handshake of every node agent port (its API port and its
 * instances' health ports), also after a node agent restarts; the certificates still in use are not.
 */
class RevocationTest {
    private static final String PRIMARY_IDC_HOST = "127.0.41.1";
    private static final String LEAVING = "127.0.41.3";

    @Test
    void aReplacedRouterCertificateAndARemovedComputersCertificateAreRefusedAtEveryHandshake() throws Exception {
        try (LocalEstate estate = new LocalEstate(Map.of("IDCA", List.of(PRIMARY_IDC_HOST), "IDCB", List.of("127.0.41.2"),
                "IDCC", List.of(LEAVING)))) {
            JsonNode task = estate.createCluster("{\"name\":\"Revoked\",\"city\":\"Shenzhen\",\"primaryIdc\":\"IDCA\","
                    + "\"backupIdc\":\"IDCB\",\"shards\":1,\"nodesPerIdc\":1}");
            assertEquals("succeeded", task.get("status").asText(), task.toString());
            NodeView primary = ClusterHealth.primary(estate.detail("Revoked").groups().get(0)).orElseThrow();
            String primaryCheck = "https://" + primary.address() + ":" + HealthPorts.of(primary.port()) + "/primary";
            String api = "https://" + primary.address() + ":7481/api/health";

            // a router certificate, then a new one for the same route: the first is refused, the second admitted
            Path first = routerPem(estate, "127.0.41.100:6432", "first");
            Path ca = Files.writeString(estate.home().resolve("ca-test.crt"),
                    estate.api().get("/api/clusters/Revoked/route?bind=127.0.41.101:6432").json().get("caCertificate").asText());
            Path otherRoute = routerPem(estate, "127.0.41.101:6432", "other");
            Waits.until(Duration.ofSeconds(10), "the first router certificate is admitted",
                    () -> curl(primaryCheck, first, ca).startsWith("200"));
            Path second = routerPem(estate, "127.0.41.100:6432", "second");
            Waits.until(Duration.ofSeconds(15), "the replaced router certificate is refused at the handshake",
                    () -> curl(primaryCheck, first, ca).equals("refused") && curl(api, first, ca).equals("refused"));
            assertTrue(curl(primaryCheck, second, ca).startsWith("200"), "the new router certificate is admitted");
            assertTrue(curl(primaryCheck, otherRoute, ca).startsWith("200"), "another route's certificate is untouched");

            // the leaving computer's own node certificate reaches a handshake (then the API refuses its role) ...
            TlsIdentity leaving = TlsIdentity.load(new AgentHome(estate.home()).nodeIdentityFile(LEAVING)).orElseThrow();
            assertEquals("403", answer(api, leaving), "a node certificate gets through the handshake, not the API");
            assertTrue(estate.api().delete("/api/computers/" + LEAVING).status() / 100 == 2, "the computer is removed");
            // ... and once the computer is removed, no handshake at all, on any port
            Waits.until(Duration.ofSeconds(15), "the removed computer's certificate is refused at the handshake",
                    () -> answer(api, leaving).equals("refused") && answer(primaryCheck, leaving).equals("refused"));
            assertFalse(estate.events("certificate.revoked").isEmpty(), "the revocations are events");

            // the list outlives a restart of the node agent (it is refused before the manager sends it again)
            estate.restartNode(PRIMARY_IDC_HOST);
            Waits.until(Duration.ofSeconds(30), "the restarted node agent answers the manager",
                    () -> "403".equals(answer(api, TlsIdentity.load(new AgentHome(estate.home()).nodeIdentityFile("127.0.41.2"))
                            .orElseThrow())));
            assertEquals("refused", answer(api, leaving), "still refused after the restart");
            assertEquals("refused", curl(api, first, ca), "still refused after the restart");
        }
    }

    private static Path routerPem(LocalEstate estate, String bind, String name) throws Exception {
        JsonNode route = estate.api().get("/api/clusters/Revoked/route?bind=" + bind).json();
        return Files.writeString(estate.home().resolve("router-" + name + ".pem"), route.get("routerPem").asText());
    }

    /** The status code (then the body) through curl with this certificate, or "refused" when no TLS session is made. */
    private static String curl(String url, Path pem, Path ca) {
        List<String> cmd = new ArrayList<>(List.of("curl", "-s", "-w", " %{http_code}", "--max-time", "3", "--cacert",
                ca.toString(), "--cert", pem.toString(), url));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            p.waitFor();
            int space = out.lastIndexOf(' ');
            String code = out.substring(space + 1);
            return code.matches("\\d{3}") && !code.equals("000") ? code + " " + out.substring(0, Math.max(space, 0)) : "refused";
        } catch (Exception e) {
            return "failed: " + e;
        }
    }

    /** The status code through a new TLS connection with this identity, or "refused" when the handshake fails. */
    private static String answer(String url, TlsIdentity identity) {
        try {
            HttpResponse<String> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .sslContext(identity.sslContext()).connectTimeout(Duration.ofSeconds(3)).build()
                    .send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
                            HttpResponse.BodyHandlers.ofString());
            return Integer.toString(response.statusCode());
        } catch (java.net.ConnectException e) {
            return "no listener";
        } catch (javax.net.ssl.SSLException e) {
            return "refused";
        } catch (java.io.IOException e) {
            // TLS 1.3: the server's refusal of the client certificate arrives as the connection closing under the request
            return "refused";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
