package org.idcguard.agent.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.idcguard.agent.drill.ClusterHealth;

/**
 * The estate the HA tests fail: IDC1 and IDC2 with two computers each on the loopback range 127.0.{block}.x, and
 * a cluster of a coordinator and one shard, two nodes per group in each IDC (the primary, a local standby, and two
 * synchronous standbys in IDC2).
 */
public final class HaEstates {
    private HaEstates() {
    }

    public static LocalEstate start(int block, Map<String, String> managerEnv) {
        return new LocalEstate(Map.of(
                "IDC1", List.of("127.0." + block + ".1", "127.0." + block + ".2"),
                "IDC2", List.of("127.0." + block + ".3", "127.0." + block + ".4")), managerEnv);
    }

    /** The same estate under a quorum of three managers (see {@link LocalEstate#LocalEstate(Map, Map, int)}). */
    public static LocalEstate startQuorum(int block) {
        return new LocalEstate(Map.of(
                "IDC1", List.of("127.0." + block + ".1", "127.0." + block + ".2"),
                "IDC2", List.of("127.0." + block + ".3", "127.0." + block + ".4")), Map.of(), block);
    }

    public static void createCluster(LocalEstate estate, String name) {
        createCluster(estate, name, "available");
    }

    public static void createCluster(LocalEstate estate, String name, String syncPolicy) {
        JsonNode task = estate.createCluster("{\"name\":\"" + name + "\",\"city\":\"Shenzhen\",\"primaryIdc\":\"IDC1\","
                + "\"backupIdc\":\"IDC2\",\"shards\":1,\"nodesPerIdc\":2,\"syncPolicy\":\"" + syncPolicy + "\"}");
        assertEquals("succeeded", task.get("status").asText(), task.toString());
        awaitFullProtection(estate, name, Duration.ofSeconds(60));
    }

    /**
     * A cross-city cluster: coordinator and one shard, two nodes per IDC in Shenzhen (IDC1, IDC2) and one DR standby
     * per group in IDC3 (Guangzhou, the block's computers .5 and .6), fully protected.
     */
    public static void createCrossCityCluster(LocalEstate estate, int block, String name) {
        estate.addIdc("IDC3", "Guangdong", "Guangzhou", List.of("127.0." + block + ".5", "127.0." + block + ".6"));
        JsonNode task = estate.createCluster("{\"name\":\"" + name + "\",\"city\":\"Shenzhen\",\"primaryIdc\":\"IDC1\","
                + "\"backupIdc\":\"IDC2\",\"shards\":1,\"nodesPerIdc\":2,\"drIdc\":\"IDC3\"}");
        assertEquals("succeeded", task.get("status").asText(), task.toString());
        awaitFullProtection(estate, name, Duration.ofSeconds(60));
    }

    /**
     * Each group's primary, once every group shows exactly one. A node's role in the detail is its last probe's: on a
     * loaded computer one probe of a healthy primary may time out, and for that tick the group shows none.
     */
    public static List<org.idcguard.model.NodeView> primaries(LocalEstate estate, String name) {
        // One snapshot answers both the wait and the result: a second read may catch one probe of a healthy primary
        // timing out on a loaded computer (its role then reads "down" until the next tick).
        java.util.concurrent.atomic.AtomicReference<List<org.idcguard.model.NodeView>> seen = new java.util.concurrent.atomic.AtomicReference<>();
        Waits.until(Duration.ofSeconds(30), "every group of " + name + " shows one primary", () -> {
            List<java.util.Optional<org.idcguard.model.NodeView>> each = estate.detail(name).groups().stream().map(ClusterHealth::primary).toList();
            if (each.stream().anyMatch(java.util.Optional::isEmpty)) {
                return false;
            }
            seen.set(each.stream().map(java.util.Optional::orElseThrow).toList());
            return true;
        });
        return seen.get();
    }

    /**
     * Waits until the cluster is fully protected and stays so for {@code quiet} with no change of any sync set: a
     * manager just started probes every node with fresh logins, and on a loaded computer its first probes of a standby
     * may time out often enough to count it down for a moment, narrowing a sync set right after full protection showed.
     * A test that kills something next must not start inside that moment.
     */
    public static void awaitSettled(LocalEstate estate, String name, Duration quiet, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            awaitFullProtection(estate, name, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            long mark = estate.lastEventId();
            Thread.sleep(quiet.toMillis());
            boolean changed = estate.api().get("/api/events?after=" + mark).json().findValuesAsText("kind").stream()
                    .anyMatch(k -> k.startsWith("sync.") || k.startsWith("alert.protection"));
            if (!changed && ClusterHealth.fullyProtected(estate.detail(name))) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + " did not stay fully protected for " + quiet.toSeconds() + " s");
            }
        }
    }

    /** Waits for full protection; when it does not come, the failure names each node's role and state, and the last events. */
    public static void awaitFullProtection(LocalEstate estate, String name, Duration limit) {
        try {
            Waits.until(limit, name + " is fully protected", () -> ClusterHealth.fullyProtected(estate.detail(name)));
        } catch (AssertionError e) {
            StringBuilder why = new StringBuilder(e.getMessage()).append(": ");
            estate.detail(name).groups().forEach(g -> g.nodes().forEach(n -> why.append(n.name()).append(' ').append(n.role())
                    .append('/').append(n.syncState()).append(" lag ").append(n.lagBytes()).append("; ")));
            List<com.fasterxml.jackson.databind.JsonNode> events = new java.util.ArrayList<>();
            estate.api().get("/api/events?after=" + Math.max(0, estate.lastEventId() - 25)).json().forEach(events::add);
            events.forEach(ev -> why.append("\n  ").append(ev.path("kind").asText()).append(' ').append(ev.path("message").asText()));
            throw new AssertionError(why.toString(), e);
        }
    }
}
