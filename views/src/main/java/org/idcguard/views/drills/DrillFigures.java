package org.idcguard.views.drills;

import java.util.List;
import org.idcguard.model.DrillReport;
import org.idcguard.model.DrillRound;

/** A report's headline figures, the way the CLI's summary line computes them. */
final class DrillFigures {
    private DrillFigures() {
    }

    static long medianRto(DrillReport r) {
        List<Long> rto = r.rounds().stream().map(DrillRound::rtoMillis).sorted().toList();
        if (rto.isEmpty()) {
            return -1;
        }
        int n = rto.size();
        return n % 2 == 1 ? rto.get(n / 2) : (rto.get(n / 2 - 1) + rto.get(n / 2)) / 2;
    }

    static long worstRto(DrillReport r) {
        return r.rounds().stream().mapToLong(DrillRound::rtoMillis).max().orElse(-1);
    }

    static long lost(DrillReport r) {
        return r.rounds().stream().mapToLong(DrillRound::rpo).sum();
    }
}
