package org.idcguard.model;

import java.util.List;

/**
 * What one drill round looked like over time, kept with the report so its timeline can be drawn again and exported:
 * the probe's acknowledged writes and errors per bucket from the round's start, when the fault struck and when the
 * IDC was restored, and the manager's events of the round (its own times).
 *
 * @param startMillis    the first bucket's start (the probe's start)
 * @param bucketMillis   the width of one bucket
 * @param acks           acknowledged writes per bucket
 * @param errors         failed statements per bucket
 * @param faultMillis    when the fault struck
 * @param restoredMillis when the IDC was restored, 0 while it is not yet
 */
public record RoundTimeline(int round, long startMillis, int bucketMillis, List<Integer> acks, List<Integer> errors,
                            long faultMillis, long restoredMillis, List<Event> events) {

    public RoundTimeline {
        acks = List.copyOf(acks);
        errors = List.copyOf(errors);
        events = events == null ? List.of() : List.copyOf(events);
    }

    /** Where the buckets end. */
    public long endMillis() {
        return startMillis + (long) bucketMillis * acks.size();
    }
}
