package org.idcguard.agent.manager.ha;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The simulation's model of one replication group's PostgreSQL instances, reduced to what the engine relies on, each
 * behaviour pinned by a real-process test (named where it is modelled):
 * <ul>
 *   <li>WAL as a list of records, each written on a timeline; a promotion starts a new timeline with a record of its
 *       own (the end-of-recovery record), so a promoted node's WAL differs from its old primary's from there on
 *       (DetachTimelineTest);</li>
 *   <li>a standby streams from its upstream only while both run, can reach each other, and its WAL is a prefix of the
 *       upstream's (a standby that holds WAL the upstream lacks needs a rewind: RejoinAfterWalRecycledTest);</li>
 *   <li>detaching (primary_conninfo emptied) stops the receiver, so the position it returns is fixed (DetachTimelineTest);</li>
 *   <li>a commit is acknowledged when any one standby named in the primary's synchronous_standby_names has received it
 *       while streaming from it ({@code ANY 1}), at once when the list is empty; a killed primary acknowledges nothing
 *       more (PrimaryFailureTest);</li>
 *   <li>a killed instance restarts as it was: a former primary comes back as a primary (RogueFencedBySqlTest);</li>
 *   <li>pg_control's timeline on a standby is its last restartpoint's: after following a promoted node it reads the
 *       old timeline until the next restartpoint (DetachTimelineTest).</li>
 * </ul>
 * Not modelled: prepared transactions, cascading delays; a standby receives WAL in
 * chunks of random size, which is what makes standbys differ in position.
 */
final class SimPostgres {

    /**
     * One WAL record: a commit (id &gt; 0) or a record that commits nothing (id &lt; 0: a timeline's first record, a
     * checkpoint, a segment switch), and the timeline it was written on.
     */
    record Entry(long id, int timeline) {
    }

    static final class Node {
        final String name;
        final String idc;
        boolean running = true;
        boolean inRecovery;
        final List<Entry> wal = new ArrayList<>();
        String upstream;
        List<String> sync = List.of();
        /** The timeline pg_control_checkpoint() reports: its last restartpoint's, stale until the next (DetachTimelineTest). */
        int checkpointTimeline = 1;

        Node(String name, String idc, boolean inRecovery, String upstream) {
            this.name = name;
            this.idc = idc;
            this.inRecovery = inRecovery;
            this.upstream = upstream;
        }

        int timeline() {
            return wal.isEmpty() ? 1 : wal.get(wal.size() - 1).timeline();
        }

        WalPosition position() {
            return new WalPosition(timeline(), wal.size());
        }
    }

    final Map<String, Node> nodes = new LinkedHashMap<>();
    /** Pairs of IDCs that cannot reach each other (each pair in both orders). */
    final Set<List<String>> split = new HashSet<>();
    /** Commit id to the step at which it was acknowledged. */
    final Map<Long, Long> acked = new HashMap<>();
    /** Commits written and not (yet) acknowledged, by id, with the node that wrote them. */
    final Map<Long, String> pending = new HashMap<>();
    /** Commits acknowledged by a primary that waited for no standby (the available policy's degraded state). */
    final Set<Long> ackedByItself = new HashSet<>();
    /** Commits acknowledged while no node in another IDC held them, with the node that acknowledged each. */
    final Map<Long, String> ackedWithoutAnotherIdc = new HashMap<>();
    /** Per node, the step of its latest promotion. */
    final Map<String, Long> promotedAt = new HashMap<>();
    private long nextCommit = 1;
    private long nextMarker = -1;
    private int nextTimeline = 1;
    long step;

    Node add(String name, String idc, boolean primary, String upstream) {
        Node n = new Node(name, idc, !primary, upstream);
        nodes.put(name, n);
        return n;
    }

    Node node(String name) {
        return nodes.get(name);
    }

    boolean linked(Node a, Node b) {
        return a.running && b.running && !split.contains(List.of(a.idc, b.idc));
    }

    /** The standby receives from its upstream right now. */
    boolean streaming(Node s) {
        if (!s.running || !s.inRecovery || s.upstream == null) {
            return false;
        }
        Node up = nodes.get(s.upstream);
        return up != null && up != s && linked(s, up) && isPrefix(s.wal, up.wal);
    }

    static boolean isPrefix(List<Entry> a, List<Entry> b) {
        return a.size() <= b.size() && a.equals(b.subList(0, a.size()));
    }

    /** How many records the standby lacks of its upstream's WAL (0 when it has no upstream). */
    int behind(Node s) {
        Node up = s.upstream == null ? null : nodes.get(s.upstream);
        return up == null ? 0 : Math.max(0, up.wal.size() - s.wal.size());
    }

    /** A client commits on the node, if it takes writes. */
    void commit(Node n) {
        if (n.running && !n.inRecovery) {
            long id = nextCommit++;
            n.wal.add(new Entry(id, n.timeline()));
            pending.put(id, n.name);
            settle();
        }
    }

    /** The standby receives up to {@code records} more of its upstream's WAL, if it streams. */
    void replicate(Node s, int records) {
        if (streaming(s)) {
            Node up = nodes.get(s.upstream);
            int until = Math.min(up.wal.size(), s.wal.size() + records);
            s.wal.addAll(up.wal.subList(s.wal.size(), until));
            settle();
        }
    }

    /** Acknowledges every pending commit a standby its primary waits for has received while streaming from it. */
    void settle() {
        pending.entrySet().removeIf(e -> {
            Node n = nodes.get(e.getValue());
            if (!n.running || n.inRecovery) {
                return false; // the client's session broke: never acknowledged (kept, harmless)
            }
            int at = indexOf(n.wal, e.getKey());
            if (at < 0) {
                return true; // rewound away before anyone acknowledged it
            }
            boolean ack = n.sync.isEmpty() || waitedForAndStreaming(n).anyMatch(s -> s.wal.size() > at);
            if (ack) {
                acked.put(e.getKey(), step);
                if (n.sync.isEmpty()) {
                    ackedByItself.add(e.getKey());
                }
                boolean elsewhere = nodes.values().stream().anyMatch(m -> !m.idc.equals(n.idc) && m.wal.size() > at
                        && m.wal.get(at).id() == e.getKey());
                if (!elsewhere) {
                    ackedWithoutAnotherIdc.put(e.getKey(), n.name);
                }
            }
            return ack;
        });
    }

    static int indexOf(List<Entry> wal, long id) {
        for (int i = wal.size() - 1; i >= 0; i--) {
            if (wal.get(i).id() == id) {
                return i;
            }
        }
        return -1;
    }

    void promote(Node n) {
        if (n.inRecovery) {
            n.inRecovery = false;
            n.upstream = null;
            nextTimeline = Math.max(nextTimeline, nodes.values().stream().flatMap(x -> x.wal.stream())
                    .mapToInt(Entry::timeline).max().orElse(1)) + 1;
            n.wal.add(new Entry(nextMarker--, nextTimeline));
            n.checkpointTimeline = nextTimeline; // the end-of-recovery checkpoint
            promotedAt.put(n.name, ++step);
            settle();
        }
    }

    /** A record that commits nothing (a checkpoint, a segment switch) written on a primary. */
    void mark(Node n) {
        if (n.running && !n.inRecovery) {
            n.wal.add(new Entry(nextMarker--, n.timeline()));
        }
    }

    /**
     * A fast shutdown: a primary writes its shutdown checkpoint and its WAL senders send everything to the standbys
     * streaming from it before it exits (PlannedSwitchTest: the candidate received the old primary's last WAL).
     * Commits still waiting are never acknowledged: their sessions end.
     */
    void stopCleanly(Node n) {
        if (n.running && !n.inRecovery) {
            mark(n);
            nodes.values().stream().filter(s -> n.name.equals(s.upstream) && streaming(s)).forEach(s -> replicate(s, n.wal.size()));
        }
        n.running = false;
    }

    /** pg_rewind and a start as a standby of the primary: its WAL becomes the common prefix, then it streams. */
    void rewind(Node n, Node primary) {
        int common = 0;
        while (common < n.wal.size() && common < primary.wal.size() && n.wal.get(common).equals(primary.wal.get(common))) {
            common++;
        }
        n.wal.subList(common, n.wal.size()).clear();
        n.inRecovery = true;
        n.upstream = primary.name;
        n.sync = List.of();
        n.running = true;
        n.checkpointTimeline = primary.checkpointTimeline; // pg_rewind copies the source's control file
    }

    /** A standby's restartpoint: pg_control catches up with the timeline it replays. */
    void restartpoint(Node n) {
        if (n.running) {
            n.checkpointTimeline = n.timeline();
        }
    }

    /** Nodes that could acknowledge a commit now: running primaries with a waited-for standby streaming (or none to wait for). */
    List<String> couldAcknowledge() {
        return nodes.values().stream().filter(n -> n.running && !n.inRecovery && (n.sync.isEmpty()
                || waitedForAndStreaming(n).findAny().isPresent())).map(n -> n.name).toList();
    }

    /** The standbys the primary's synchronous_standby_names names that stream from it now. */
    private java.util.stream.Stream<Node> waitedForAndStreaming(Node primary) {
        return primary.sync.stream().map(nodes::get).filter(s -> s != null && primary.name.equals(s.upstream) && streaming(s));
    }

    /**
     * The first acknowledged commit missing from a node promoted after it was acknowledged, if any; one its primary
     * acknowledged waiting for nobody counts only when {@code evenAlone} (the strict policy never does that).
     */
    Optional<String> lostCommit(boolean evenAlone) {
        for (Node n : nodes.values()) {
            if (!n.running || n.inRecovery || !promotedAt.containsKey(n.name)) {
                continue;
            }
            long promoted = promotedAt.get(n.name);
            for (Map.Entry<Long, Long> a : acked.entrySet()) {
                if (a.getValue() < promoted && indexOf(n.wal, a.getKey()) < 0 && (evenAlone || !ackedByItself.contains(a.getKey()))) {
                    return Optional.of("commit " + a.getKey() + " acknowledged at step " + a.getValue() + " is not on " + n.name
                            + ", promoted at step " + promoted);
                }
            }
        }
        return Optional.empty();
    }

    String describe() {
        StringBuilder b = new StringBuilder();
        nodes.values().forEach(n -> b.append(n.name).append(n.running ? "" : "(stopped)").append(n.inRecovery ? " standby" : " PRIMARY")
                .append(" tl").append(n.timeline()).append(" lsn ").append(n.wal.size())
                .append(n.inRecovery ? " <- " + n.upstream + (streaming(n) ? "" : " (not streaming)") : " waits for " + n.sync)
                .append("; "));
        return b.toString();
    }
}
