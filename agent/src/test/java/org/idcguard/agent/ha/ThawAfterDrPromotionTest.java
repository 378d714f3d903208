package org.idcguard.agent.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.idcguard.agent.drill.ClusterHealth;
import org.idcguard.agent.drill.IdcFault;
import org.idcguard.agent.testing.HaEstates;
import org.idcguard.agent.testing.LocalEstate;
import org.idcguard.agent.testing.Waits;
import org.idcguard.model.ClusterDetail;
import org.idcguard.model.GroupView;
import org.idcguard.model.NodeView;
import org.junit.jupiter.api.Test;

/**
 * The split brain a DR promotion could leave: the whole main city frozen (SIGSTOP: a hung city, not a dead one), the
 * city-lost alert, the DBA promotes the DR city, then the main city thaws while an application inside it goes on
 * writing through the main city's hosts only. Its old primaries must acknowledge nothing once the promotion began:
 * their lease ran out (PostgreSQL refuses the commit, or withholds its acknowledgement) and their node agents stop them,
 * so when the main city has rejoined as standbys of the DR city, every write acknowledged after the promotion began is
 * there. (Tried by hand before the leases: 36 writes acknowledged by the thawed old primaries, all gone.)
 */
class ThawAfterDrPromotionTest {
    private static final int BLOCK = 43;

    @Test
    void aMainCityThawedAfterTheDrCityWasPromotedAcknowledgesNothingThatIsLost() throws Exception {
        try (LocalEstate estate = HaEstates.start(BLOCK, Map.of())) {
            HaEstates.createCrossCityCluster(estate, BLOCK, "Thaw");
            ClusterDetail before = estate.detail("Thaw");
            GroupView coordinator = before.groups().stream().filter(g -> g.name().equals("coordinator")).findFirst().orElseThrow();
            NodeView anyCoordinator = coordinator.nodes().get(0);
            List<NodeView> mainCityCoordinators = coordinator.nodes().stream().filter(n -> !n.idc().equals("IDC3")).toList();
            String user;
            String password;
            try (Connection db = estate.superuser(anyCoordinator, anyCoordinator)) {
                user = db.getMetaData().getUserName();
                password = superuserPassword(estate);
                try (Statement st = db.createStatement()) {
                    st.execute("CREATE TABLE thaw_probe (id bigint PRIMARY KEY, acked_at timestamptz DEFAULT now())");
                }
            }
            // an application inside the main city: its URI names the main city's coordinators only
            String url = "jdbc:postgresql://" + mainCityCoordinators.stream().map(n -> n.address() + ":" + n.port())
                    .collect(Collectors.joining(",")) + "/postgres?targetServerType=primary&connectTimeout=2&socketTimeout=3"
                    + "&loginTimeout=3&tcpKeepAlive=true";
            Writer app = new Writer(url, user, password);
            app.start();
            Waits.until(Duration.ofSeconds(20), "the application writes", () -> app.acked.size() > 20);

            List<String> mainCity = new ArrayList<>(estate.access().computersOf("IDC1"));
            mainCity.addAll(estate.access().computersOf("IDC2"));
            IdcFault freeze = new IdcFault(IdcFault.Kind.FREEZE, mainCity);
            freeze.apply();
            long promotionBegan;
            try {
                Waits.until(Duration.ofSeconds(30), "the city-lost alert", () -> !estate.events("alert.city-lost").isEmpty());
                promotionBegan = System.currentTimeMillis();
                var answer = estate.api().post("/api/clusters/Thaw/dr/promote", "{\"to\":\"IDC3\",\"mode\":\"latest\",\"acceptLoss\":true}");
                assertEquals(202, answer.status(), answer.body());
                JsonNode task = estate.awaitTask(answer.json().get("id").asLong(), Duration.ofMinutes(2));
                assertEquals("succeeded", task.get("status").asText(), task.toString());
            } finally {
                freeze.restore(); // the main city thaws; its application goes on writing through its own hosts
            }
            long attemptsAtThaw = app.attempts.get();
            Thread.sleep(10_000);
            long attemptsWhileThawed = app.attempts.get() - attemptsAtThaw;
            app.stop();
            Waits.until(Duration.ofSeconds(120), "the main city has rejoined the DR city's primaries as standbys", () -> {
                ClusterDetail d = estate.detail("Thaw");
                return d.groups().stream().allMatch(g -> ClusterHealth.primary(g).map(p -> p.idc().equals("IDC3")).orElse(false)
                        && g.nodes().stream().filter(n -> !n.idc().equals("IDC3")).allMatch(n -> "standby".equals(n.role())
                        && n.pid() > 0));
            });

            NodeView newPrimary = ClusterHealth.primary(estate.detail("Thaw").groups().stream()
                    .filter(g -> g.name().equals("coordinator")).findFirst().orElseThrow()).orElseThrow();
            Set<Long> present = new HashSet<>();
            try (Connection db = estate.superuser(newPrimary, anyCoordinator); Statement st = db.createStatement();
                 ResultSet rs = st.executeQuery("SELECT id FROM thaw_probe")) {
                while (rs.next()) {
                    present.add(rs.getLong(1));
                }
            }
            List<Long> ackedAfter = app.acked.entrySet().stream().filter(e -> e.getValue() >= promotionBegan).map(Map.Entry::getKey)
                    .sorted().toList();
            List<Long> lostAfter = ackedAfter.stream().filter(id -> !present.contains(id)).toList();
            long lostBefore = app.acked.entrySet().stream().filter(e -> e.getValue() < promotionBegan && !present.contains(e.getKey())).count();
            System.out.printf("acknowledged %d (%d after the promotion began), lost after the promotion began %d, "
                    + "accepted loss (acknowledged before it) %d, refused or failed %d, attempts while thawed %d%n", app.acked.size(),
                    ackedAfter.size(), lostAfter.size(), lostBefore, app.failures.get(), attemptsWhileThawed);
            assertEquals(List.of(), lostAfter, "writes acknowledged after the DR promotion began were lost");
            assertTrue(attemptsWhileThawed >= 3, "the application went on writing to the thawed main city: " + attemptsWhileThawed);
        }
    }

    private static String superuserPassword(LocalEstate estate) throws Exception {
        java.nio.file.Path spec = estate.instanceFiles().stream().filter(f -> f.getFileName().toString().endsWith(".json")
                && f.getFileName().toString().contains("coordinator")).findFirst().orElseThrow();
        return org.idcguard.agent.http.Json.MAPPER.readTree(spec.toFile()).get("superuserPassword").asText();
    }

    /** One connection at a time, an INSERT per commit, every acknowledgement recorded with its time. */
    private static final class Writer {
        final Map<Long, Long> acked = new ConcurrentHashMap<>();
        final java.util.concurrent.atomic.AtomicLong failures = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong attempts = new java.util.concurrent.atomic.AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        Writer(String url, String user, String password) {
            thread = new Thread(() -> {
                long next = 1;
                Connection db = null;
                while (running.get()) {
                    attempts.incrementAndGet();
                    try {
                        if (db == null) {
                            db = DriverManager.getConnection(url, user, password);
                        }
                        long id = next++;
                        try (Statement st = db.createStatement()) {
                            st.execute("INSERT INTO thaw_probe (id) VALUES (" + id + ")");
                            if (st.getWarnings() == null) {
                                acked.put(id, System.currentTimeMillis());
                            }
                        }
                        Thread.sleep(20);
                    } catch (Exception e) {
                        failures.incrementAndGet();
                        if (db != null) {
                            try {
                                db.close();
                            } catch (Exception ignored) {
                                // a broken connection
                            }
                            db = null;
                        }
                        try {
                            Thread.sleep(100);
                        } catch (InterruptedException stop) {
                            return;
                        }
                    }
                }
            }, "thaw-writer");
        }

        void start() {
            thread.start();
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join(10_000);
        }
    }
}
