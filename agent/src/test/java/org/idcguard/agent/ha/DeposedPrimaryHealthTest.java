package org.idcguard.agent.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.idcguard.agent.drill.ClusterHealth;
import org.idcguard.agent.drill.IdcFault;
import org.idcguard.agent.testing.HaEstates;
import org.idcguard.agent.testing.LocalEstate;
import org.idcguard.agent.testing.Waits;
import org.idcguard.model.GroupView;
import org.idcguard.model.HealthPorts;
import org.idcguard.model.NodeView;
import org.junit.jupiter.api.Test;

/**
 * The {@code /primary} health check of real instances once the manager's lease lapsed (the manager is killed, so it
 * renews nothing and takes nothing over). While the backup IDC's synchronous standbys stream, the primary stays up:
 * losing the manager alone never takes the writes away. Once the backup IDC is gone (powered off: its standbys' WAL
 * receivers die with it), the primary's local standby still streams from it, asynchronously; in a real cut the
 * manager would take over in the backup IDC now, so the check must answer 503 although a WAL sender streams.
 */
class DeposedPrimaryHealthTest {

    @Test
    void afterTheLeaseOnlyAStandbyItsCommitsWaitForKeepsThePrimaryUp() throws Exception {
        try (LocalEstate estate = HaEstates.start(53, Map.of())) {
            HaEstates.createCluster(estate, "Leased");
            NodeView primary = HaEstates.primaries(estate, "Leased").get(0);
            GroupView group = estate.detail("Leased").groups().get(0);
            String backupIdc = group.nodes().stream().map(NodeView::idc).filter(idc -> !idc.equals(primary.idc())).findFirst().orElseThrow();
            List<String> backupComputers = estate.access().computersOf(backupIdc); // asked while the manager answers
            JsonNode route = estate.api().get("/api/clusters/Leased/route?bind=127.0.53.100:6432").json();
            Path pem = Files.createTempFile(estate.home(), "router", ".pem");
            Path ca = Files.createTempFile(estate.home(), "ca", ".crt");
            Files.writeString(pem, route.get("routerPem").asText());
            Files.writeString(ca, route.get("caCertificate").asText());
            String primaryCheck = "https://" + primary.address() + ":" + HealthPorts.of(primary.port()) + "/primary";
            Waits.until(Duration.ofSeconds(10), primary.name() + " answers /primary", () -> get(primaryCheck, pem, ca).startsWith("200"));

            estate.killManager();
            Waits.until(Duration.ofSeconds(15), primary.name() + "'s lease lapses",
                    () -> get(primaryCheck, pem, ca).contains("\"lease\":\"lapsed\""));
            String stillUp = get(primaryCheck, pem, ca);
            assertEquals("200", stillUp.substring(0, 3), "the synchronous standbys still stream: " + stillUp);

            new IdcFault(IdcFault.Kind.POWER_OFF, backupComputers).apply();
            // A WAL sender of the primary still streams, to its local asynchronous standby, until the primary's node
            // agent stops it (its lease ran out and no standby its commits wait for streams: LeaseFailsafeTest); the
            // check must say 503 either way, and PrimaryCheckDecisionTest pins the rule for the moment in between.
            String[] last = {""};
            Waits.until(Duration.ofSeconds(10), primary.name() + " answers 503 once only its asynchronous standby streams",
                    () -> (last[0] = get(primaryCheck, pem, ca)).startsWith("503"));
            System.out.println("after the backup IDC went: " + last[0]);
        }
    }

    /** The status code, a space, and the body; "-1" when curl fails. */
    private static String get(String url, Path pem, Path ca) {
        List<String> cmd = new ArrayList<>(List.of("curl", "-s", "-w", " %{http_code}", "--max-time", "3", "--cacert", ca.toString(),
                "--cert", pem.toString(), url));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            p.waitFor();
            int space = out.lastIndexOf(' ');
            String code = out.substring(space + 1);
            return code.matches("\\d{3}") ? code + " " + out.substring(0, Math.max(space, 0)) : "-1";
        } catch (Exception e) {
            return "-1";
        }
    }
}
