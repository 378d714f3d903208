package org.idcguard.agent.manager.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.idcguard.agent.home.AgentHome;
import org.idcguard.agent.testing.LocalEstate;
import org.idcguard.agent.testing.Waits;
import org.idcguard.agent.tls.RevokedCertificates;
import org.idcguard.agent.tls.TlsIdentity;
import org.junit.jupiter.api.Test;

/**
 * A node agent's certificate renewed before it expires, in place: the manager (told here to renew any certificate
 * older than 20 s) gets a new one signed for a key the node made, the node presents it from its next handshake and keeps
 * it in its identity file, the old one is revoked, and the manager keeps reaching the node.
 */
@org.junit.jupiter.api.Tag("long")
class CertificateRenewalTest {
    private static final String RENEWED = "127.0.42.1";
    private static final String OTHER = "127.0.42.2";

    @Test
    void aCertificateNearItsEndIsRenewedInPlaceAndTheOldOneRevoked() throws Exception {
        // renew what has less than two years (the lifetime) minus 20 s left: every certificate older than 20 s
        Duration window = Duration.ofDays(730).minusSeconds(20);
        try (LocalEstate estate = new LocalEstate(Map.of("IDCA", List.of(RENEWED), "IDCB", List.of(OTHER)),
                Map.of("IDCGUARD_CERT_RENEW_WITHIN", window.toString()))) {
            AgentHome home = new AgentHome(estate.home());
            TlsIdentity before = TlsIdentity.load(home.nodeIdentityFile(RENEWED)).orElseThrow();
            TlsIdentity manager = TlsIdentity.load(home.managerIdentityFile()).orElseThrow();
            String beforeSerial = RevokedCertificates.serial(before.certificate());
            assertEquals(beforeSerial, RevokedCertificates.serial(presented(RENEWED, manager)), "the node presents its first certificate");
            String otherApi = "https://" + OTHER + ":7481/api/health";
            assertEquals("403", answer(otherApi, before), "before: the certificate gets through a handshake");

            Waits.until(Duration.ofSeconds(60), RENEWED + "'s certificate is renewed",
                    () -> !estate.events("certificate.renewed").stream()
                            .filter(e -> e.get("subject").asText().equals(RENEWED)).toList().isEmpty());
            X509Certificate now = presented(RENEWED, manager);
            assertNotEquals(beforeSerial, RevokedCertificates.serial(now), "the node presents a new certificate");
            now.verify(before.ca().getPublicKey());
            assertNotEquals(beforeSerial, RevokedCertificates.serial(TlsIdentity.load(home.nodeIdentityFile(RENEWED))
                    .orElseThrow().certificate()), "the identity file holds a new certificate");
            Waits.until(Duration.ofSeconds(15), "the replaced certificate is refused at the handshake",
                    () -> answer(otherApi, before).equals("refused"));
            JsonNode computer = estate.api().get("/api/computers/" + RENEWED).json();
            assertEquals("REACHABLE", computer.get("status").asText().toUpperCase(), computer.toString());
            long mark = estate.lastEventId();
            Thread.sleep(3000);
            assertEquals(0, estate.eventsAfter(mark, "computer.unreachable").size(), "the manager kept reaching the node");
        }
    }

    /** The certificate the node agent presents to a new connection. */
    private static X509Certificate presented(String address, TlsIdentity client) throws Exception {
        HttpResponse<String> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .sslContext(client.sslContext()).build()
                .send(HttpRequest.newBuilder(URI.create("https://" + address + ":7481/api/health")).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
        return (X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0];
    }

    private static String answer(String url, TlsIdentity identity) {
        try {
            return Integer.toString(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(identity.sslContext())
                    .connectTimeout(Duration.ofSeconds(3)).build()
                    .send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
                            HttpResponse.BodyHandlers.ofString()).statusCode());
        } catch (java.net.ConnectException e) {
            return "no listener";
        } catch (java.io.IOException e) {
            return "refused";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
