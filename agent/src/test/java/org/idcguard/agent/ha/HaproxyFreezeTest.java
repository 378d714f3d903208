package org.idcguard.agent.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.idcguard.agent.drill.ClusterHealth;
import org.idcguard.agent.drill.IdcFault;
import org.idcguard.agent.testing.HaEstates;
import org.idcguard.agent.testing.LocalEstate;
import org.idcguard.agent.testing.TempHome;
import org.idcguard.agent.testing.Waits;
import org.idcguard.model.ClusterDetail;
import org.idcguard.model.HealthPorts;
import org.idcguard.model.NodeView;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Clients behind a real HAProxy (the distribution's package) with the configuration {@code cluster haproxy} prints,
 * writing on one connection each with no socket timeout at all, while the primary IDC is frozen (SIGSTOP: its sockets
 * stay open and answer nothing). The node agents' Patroni-style checks and {@code on-marked-down shutdown-sessions}
 * must free the clients: every round the writes resume on the new primary, and no acknowledged write is lost. The
 * client-observed RTO of each round (the longest gap between acknowledged writes) is printed, not asserted. The suite
 * runs two rounds (one failing each IDC); {@code -Drounds=5} gives the five-round figures.
 */
@Tag("long")
class HaproxyFreezeTest {
    private static final int ROUNDS = Integer.getInteger("rounds", 2);
    private static final String BIND = "127.0.40.100:6432";

    @Test
    void clientsBehindHaproxyAreFreedFromAFrozenPrimaryIdcWithNothingLost() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/haproxy")), "HAProxy is not installed (apt-get install haproxy)");
        try (LocalEstate estate = HaEstates.start(40, Map.of()); TempHome route = new TempHome()) {
            HaEstates.createCluster(estate, "Routed");
            ClusterDetail detail = estate.detail("Routed");
            checksFollowTheRecord(estate, detail);

            JsonNode config = estate.api().get("/api/clusters/Routed/route?bind=" + BIND).json();
            Files.writeString(route.dir().resolve("haproxy.cfg"), config.get("haproxyConfig").asText());
            Files.writeString(route.dir().resolve("ca.crt"), config.get("caCertificate").asText());
            Files.writeString(route.dir().resolve("router.pem"), config.get("routerPem").asText());
            Process haproxy = new ProcessBuilder("/usr/sbin/haproxy", "-db", "-f", "haproxy.cfg").directory(route.dir().toFile())
                    .redirectErrorStream(true).redirectOutput(route.dir().resolve("haproxy.log").toFile()).start();
            String jdbc = "jdbc:postgresql://" + BIND + "/" + detail.database() + credentials(detail.uris().jdbc());
            // No WritablePrimaryWatch here: it reads a node as able to acknowledge from pg_stat_replication, and a primary
            // thawed moments after the takeover still lists its detached standbys for the instant before its WAL
            // senders read their closed sockets (a false alarm: nobody can acknowledge for it). Every acknowledged write
            // is checked at the end instead; the other HA tests keep the watch.
            try {
                Waits.until(Duration.ofSeconds(30), "HAProxy leads to the primary", () -> answers(jdbc));
                try (Connection c = DriverManager.getConnection(jdbc); Statement st = c.createStatement()) {
                    st.execute("CREATE TABLE routed_probe (seq bigint PRIMARY KEY, at timestamptz DEFAULT now())");
                }
                Writer writer = new Writer(jdbc);
                List<Long> rtos = new ArrayList<>();
                try {
                    for (int round = 1; round <= ROUNDS; round++) {
                        rtos.add(freezePrimaryIdc(estate, writer, round));
                    }
                } finally {
                    writer.stop();
                }
                Set<Long> present = new HashSet<>();
                try (Connection c = DriverManager.getConnection(jdbc); Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("SELECT seq FROM routed_probe")) {
                    while (rs.next()) {
                        present.add(rs.getLong(1));
                    }
                }
                List<Long> lost = writer.acked.stream().map(a -> a[0]).filter(s -> !present.contains(s)).toList();
                System.out.println("HAProxy freeze rounds: client RTO ms " + rtos + ", acknowledged " + writer.acked.size()
                        + ", lost " + lost.size());
                assertEquals(List.of(), lost, "acknowledged writes through HAProxy were lost");
            } finally {
                haproxy.destroy();
                haproxy.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Each instance answers on its own health port: /primary only for the recorded primary, /replica only for the
     * streaming standbys, /health for all; and a stranger without our CA's certificate is refused in the handshake.
     */
    private static void checksFollowTheRecord(LocalEstate estate, ClusterDetail detail) throws Exception {
        Path pem = Files.createTempFile(estate.home(), "router", ".pem");
        Path ca = estate.home().resolve("ca-check.crt");
        JsonNode config = estate.api().get("/api/clusters/Routed/route?bind=" + BIND).json();
        Files.writeString(pem, config.get("routerPem").asText());
        Files.writeString(ca, config.get("caCertificate").asText());
        for (var g : detail.groups()) {
            for (NodeView n : g.nodes()) {
                String base = "https://" + n.address() + ":" + HealthPorts.of(n.port());
                Waits.until(Duration.ofSeconds(10), n.name() + "'s health port answers", () -> status(base + "/health", pem, ca) == 200);
                boolean primary = "primary".equals(n.role());
                assertEquals(primary ? 200 : 503, status(base + "/primary", pem, ca), n.name() + " /primary");
                assertEquals(primary ? 503 : 200, status(base + "/replica", pem, ca), n.name() + " /replica");
                assertEquals(0, status(base + "/health", null, ca), "a client without a certificate is refused");
            }
        }
    }

    private static int status(String url, Path pem, Path ca) {
        List<String> cmd = new ArrayList<>(List.of("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "3",
                "--cacert", ca.toString()));
        if (pem != null) {
            cmd.addAll(List.of("--cert", pem.toString()));
        }
        cmd.add(url);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            p.waitFor();
            return out.matches("\\d+") ? Integer.parseInt(out) : -1;
        } catch (Exception e) {
            return -1;
        }
    }

    /** Freezes the IDC of the coordinator's primary while the client writes; returns the longest gap between acks. */
    private static long freezePrimaryIdc(LocalEstate estate, Writer writer, int round) throws Exception {
        ClusterDetail before = estate.detail("Routed");
        String idc = before.summary().primaryIdc();
        Waits.until(Duration.ofSeconds(10), "the client writes", () -> writer.ackedSince(System.currentTimeMillis() - 1000) > 5);
        IdcFault freeze = new IdcFault(IdcFault.Kind.FREEZE, estate.access().computersOf(idc));
        freeze.apply();
        long at = freeze.struckAtMillis();
        try {
            Waits.until(Duration.ofSeconds(30), "writes resume through HAProxy after freezing " + idc, () -> {
                long now = System.currentTimeMillis();
                return now - at > 3000 && writer.ackedSince(now - 1000) > 5;
            });
        } finally {
            freeze.restore();
        }
        long rto = writer.longestGapAround(at);
        long takeover = estate.events("failover.done").stream().mapToLong(e -> e.get("timeMillis").asLong()).filter(t -> t > at)
                .map(t -> t - at).max().orElse(-1);
        if (round == 1) {
            estate.api().get("/api/events").json().forEach(e -> {
                if (e.get("timeMillis").asLong() > at) {
                    System.out.println("  +" + (e.get("timeMillis").asLong() - at) + " " + e.get("kind").asText() + " " + e.get("message").asText());
                }
            });
        }
        System.out.println("round " + round + ": froze " + idc + ", client RTO " + rto + " ms, takeover " + takeover + " ms");
        HaEstates.awaitFullProtection(estate, "Routed", Duration.ofSeconds(90));
        assertTrue(ClusterHealth.primariesOutside(estate.detail("Routed"), idc), "the primaries left the frozen IDC");
        return rto;
    }

    private static String credentials(String jdbc) {
        StringBuilder q = new StringBuilder("?connectTimeout=2");
        for (String p : jdbc.substring(jdbc.indexOf('?') + 1).split("&")) {
            if (p.startsWith("user=") || p.startsWith("password=")) {
                q.append('&').append(p);
            }
        }
        return q.toString();
    }

    private static boolean answers(String jdbc) {
        try (Connection c = DriverManager.getConnection(jdbc); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT NOT pg_is_in_recovery()")) {
            return rs.next() && rs.getBoolean(1);
        } catch (Exception e) {
            return false;
        }
    }

    /** One client, one connection at a time, no socket timeout: only HAProxy cutting the session frees it. */
    private static final class Writer {
        final ConcurrentLinkedQueue<long[]> acked = new ConcurrentLinkedQueue<>();
        private volatile boolean running = true;
        private final Thread thread;

        Writer(String jdbc) {
            thread = new Thread(() -> {
                long seq = 0;
                Connection c = null;
                while (running) {
                    try {
                        if (c == null) {
                            c = DriverManager.getConnection(jdbc);
                        }
                        seq++;
                        try (PreparedStatement st = c.prepareStatement("INSERT INTO routed_probe (seq) VALUES (?)")) {
                            st.setLong(1, seq);
                            st.executeUpdate();
                            if (st.getWarnings() == null) {
                                acked.add(new long[] {seq, System.currentTimeMillis()});
                            }
                        }
                        Thread.sleep(5);
                    } catch (Exception e) {
                        close(c);
                        c = null;
                        pause();
                    }
                }
                close(c);
            }, "haproxy-client");
            thread.setDaemon(true);
            thread.start();
        }

        long ackedSince(long millis) {
            return acked.stream().filter(a -> a[1] >= millis).count();
        }

        /** The longest gap between consecutive acknowledgements that spans the fault. */
        long longestGapAround(long at) {
            long last = 0;
            long worst = 0;
            for (long[] a : acked) {
                if (last > 0 && a[1] > at && last <= at + 30_000) {
                    worst = Math.max(worst, a[1] - Math.max(last, 0));
                }
                last = a[1];
            }
            return worst;
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join(30_000);
        }

        private static void close(Connection c) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // gone already
            }
        }

        private static void pause() {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
