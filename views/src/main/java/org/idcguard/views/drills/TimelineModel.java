package org.idcguard.views.drills;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.idcguard.model.Event;
import org.idcguard.model.RoundTimeline;

/**
 * One drill round as rows of bars and markers, computed from the round's timeline and the manager's own event times:
 * per group, how long the takeover took to detect the loss, fence the old primary (detach its standbys), promote,
 * repoint, resolve the in-doubt parts of cross-shard transactions the failure left prepared (they hold row locks, so
 * this is part of the outage for the rows they touch), and, after the restore, rejoin. Times are milliseconds relative to the fault (before the fault of a live
 * round, to the probe's start). No JavaFX here: the chart draws it, the exports and the report table read it.
 */
public final class TimelineModel {
    /** The row for events about the cluster as a whole, its IDCs and computers. */
    public static final String CLUSTER_ROW = "cluster";
    private static final Pattern REPOINTING = Pattern.compile("repointing (\\d+) ms");
    private static final Pattern RESOLVED = Pattern.compile("resolved: (\\d+) committed, (\\d+) rolled back");
    static final String RESOLVED_KIND = "twophase.resolved";

    public enum Step { DETECT, FENCE, PROMOTE, REPOINT, RESOLVE, REJOIN }

    /** A stretch of one step in one row, in milliseconds from the fault. */
    public record Bar(Step step, long from, long to) {
        public long millis() {
            return to - from;
        }
    }

    /** An event at its time from the fault. */
    public record Marker(long at, Event event) {
    }

    /** One group (or the cluster row) with its bars and markers. */
    public record Row(String name, List<Bar> bars, List<Marker> markers) {
        public Optional<Bar> bar(Step step) {
            return bars.stream().filter(b -> b.step() == step).findFirst();
        }

        /** In-doubt parts of cross-shard transactions ended in this group: {committed, rolled back}. */
        public long[] inDoubt() {
            long[] ended = new long[2];
            markers.stream().filter(m -> m.event().kind().equals(RESOLVED_KIND)).forEach(m -> {
                Matcher r = RESOLVED.matcher(m.event().message());
                if (r.find()) {
                    ended[0] += Long.parseLong(r.group(1));
                    ended[1] += Long.parseLong(r.group(2));
                }
            });
            return ended;
        }

        /** The in-doubt parts ended, in words; a dash when there were none. */
        public String inDoubtText() {
            long[] ended = inDoubt();
            return ended[0] + ended[1] == 0 ? "—" : ended[0] + " committed, " + ended[1] + " rolled back";
        }
    }

    private final RoundTimeline round;
    private final List<Row> rows;

    public TimelineModel(RoundTimeline round) {
        this.round = round;
        this.rows = rowsOf(round);
    }

    public RoundTimeline round() {
        return round;
    }

    public List<Row> rows() {
        return rows;
    }

    /** Whether the fault has struck: times are from it; before, they are from the probe's start. */
    public boolean struck() {
        return round.faultMillis() > 0;
    }

    /** The moment times are counted from. */
    private static long origin(RoundTimeline round) {
        return round.faultMillis() > 0 ? round.faultMillis() : round.startMillis();
    }

    /** Where the drawing starts and ends, relative to the fault: the probe's start to the last thing that happened. */
    public long startsAt() {
        return round.startMillis() - origin(round);
    }

    public long endsAt() {
        long last = Math.max(round.endMillis(), round.restoredMillis());
        for (Event e : round.events()) {
            last = Math.max(last, e.timeMillis());
        }
        return last - origin(round);
    }

    /** The restore, relative to the fault; empty while the IDC is still failed. */
    public Optional<Long> restoredAt() {
        return round.restoredMillis() > 0 ? Optional.of(round.restoredMillis() - origin(round)) : Optional.empty();
    }

    private static List<Row> rowsOf(RoundTimeline round) {
        long origin = origin(round);
        Map<String, List<Event>> byRow = new LinkedHashMap<>();
        byRow.put(CLUSTER_ROW, new ArrayList<>());
        round.events().stream().sorted(Comparator.comparingLong(Event::timeMillis)).forEach(e -> {
            int slash = e.subject().indexOf('/');
            byRow.computeIfAbsent(slash < 0 ? CLUSTER_ROW : e.subject().substring(slash + 1), k -> new ArrayList<>()).add(e);
        });
        List<Row> rows = new ArrayList<>();
        byRow.entrySet().stream().sorted(Map.Entry.comparingByKey(TimelineModel::rowOrder)).forEach(entry -> {
            List<Event> events = entry.getValue();
            List<Marker> markers = events.stream().map(e -> new Marker(e.timeMillis() - origin, e)).toList();
            rows.add(new Row(entry.getKey(), round.faultMillis() > 0 ? bars(events, round) : List.of(), markers));
        });
        return List.copyOf(rows);
    }

    /** The cluster row first, then the coordinator, then shards in their number's order. */
    static int rowOrder(String a, String b) {
        return Long.compare(rank(a), rank(b)) != 0 ? Long.compare(rank(a), rank(b)) : a.compareTo(b);
    }

    private static long rank(String row) {
        if (row.equals(CLUSTER_ROW)) {
            return -2;
        }
        if (row.equals("coordinator")) {
            return -1;
        }
        String digits = row.replaceAll("\\D", "");
        return digits.isEmpty() || digits.length() > 9 ? Integer.MAX_VALUE : Long.parseLong(digits);
    }

    private static List<Bar> bars(List<Event> events, RoundTimeline round) {
        long fault = round.faultMillis();
        List<Bar> bars = new ArrayList<>();
        Optional<Event> started = first(events, "failover.started");
        Optional<Event> promoting = first(events, "failover.promoting");
        Optional<Event> done = first(events, "failover.done");
        if (started.isPresent()) {
            bars.add(new Bar(Step.DETECT, 0, started.get().timeMillis() - fault));
            promoting.ifPresent(p -> bars.add(new Bar(Step.FENCE, started.get().timeMillis() - fault, p.timeMillis() - fault)));
        }
        if (promoting.isPresent() && done.isPresent()) {
            long end = done.get().timeMillis() - fault;
            long repoint = repointMillis(done.get().message());
            long promoted = Math.max(promoting.get().timeMillis() - fault, end - repoint);
            bars.add(new Bar(Step.PROMOTE, promoting.get().timeMillis() - fault, promoted));
            bars.add(new Bar(Step.REPOINT, promoted, end));
        }
        // from the group's own takeover (or the fault, when only the coordinator was taken over) to its last resolution
        long resolveFrom = done.map(d -> d.timeMillis() - fault).orElse(0L);
        events.stream().filter(e -> e.kind().equals(RESOLVED_KIND) && e.timeMillis() >= fault).mapToLong(Event::timeMillis).max()
                .ifPresent(last -> bars.add(new Bar(Step.RESOLVE, resolveFrom, Math.max(resolveFrom, last - fault))));
        if (round.restoredMillis() > 0) {
            events.stream().filter(e -> e.kind().equals("node.rejoined") && e.timeMillis() >= round.restoredMillis())
                    .mapToLong(Event::timeMillis).max()
                    .ifPresent(last -> bars.add(new Bar(Step.REJOIN, round.restoredMillis() - fault, last - fault)));
        }
        return bars;
    }

    /** The repointing lap the manager wrote into its failover.done sentence; 0 when it is not there. */
    static long repointMillis(String doneMessage) {
        Matcher m = REPOINTING.matcher(doneMessage);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static Optional<Event> first(List<Event> events, String kind) {
        return events.stream().filter(e -> e.kind().equals(kind)).findFirst();
    }
}
