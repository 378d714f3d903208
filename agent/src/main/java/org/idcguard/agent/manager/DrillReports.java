package org.idcguard.agent.manager;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.idcguard.agent.http.ApiFailure;
import org.idcguard.agent.http.Json;
import org.idcguard.model.DrillReport;
import org.idcguard.model.Names;

/**
 * Drill reports the manager keeps: stored as the drill handed them in (checked first), listed newest first, and a
 * failed drill raised as an alert. The report is kept whole as JSON; the columns beside it are what lists filter on,
 * and the row's id is the report's.
 */
public final class DrillReports {
    private static final int MAX_ROUNDS = 100;
    private final MetadataStore store;
    private final EventLog events;

    public DrillReports(MetadataStore store, EventLog events) {
        this.store = store;
        this.events = events;
    }

    public DrillReport add(DrillReport handedIn) {
        check(handedIn);
        // who ran it is the manager's to say: the operator whose call hands it in (or started the manager's own run)
        var actor = org.idcguard.agent.manager.actor.Actor.current();
        DrillReport report = handedIn.by(actor.map(a -> a.name()).orElse(null), actor.map(a -> a.reason()).orElse(null));
        return store.inTransaction(c -> {
            long id;
            try (PreparedStatement st = c.prepareStatement("INSERT INTO drill (cluster, fault, idc, started_millis, finished_millis, "
                    + "passed, report, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
                st.setString(1, report.cluster());
                st.setString(2, report.fault());
                st.setString(3, report.idc());
                st.setLong(4, report.startedMillis());
                st.setLong(5, report.finishedMillis());
                st.setBoolean(6, report.passed());
                st.setString(7, json(report.withId(0))); // the row's id is the report's; it is set when read
                st.setString(8, report.operator());
                st.executeUpdate();
                ResultSet keys = st.getGeneratedKeys();
                keys.next();
                id = keys.getLong(1);
            }
            DrillReport stored = report.withId(id);
            String summary = "Drill " + id + " of " + report.cluster() + " (" + report.fault() + " of " + report.idc() + ", "
                    + report.rounds().size() + " round(s)): worst RTO " + report.worstRtoMillis() + " ms, " + report.lostWrites()
                    + " acknowledged write(s) lost.";
            events.record(c, report.passed() ? "drill.done" : "drill.failed", report.cluster(),
                    report.passed() ? summary : summary + " It failed: " + firstProblem(report));
            return stored;
        });
    }

    /** Newest first, of one cluster or all; without their timelines, which {@link #get} gives whole. */
    public List<DrillReport> list(String cluster, int limit) {
        return store.inTransaction(c -> {
            try (PreparedStatement st = c.prepareStatement("SELECT id, report FROM drill" + (cluster == null ? "" : " WHERE cluster = ?")
                    + " ORDER BY id DESC LIMIT ?")) {
                int i = 1;
                if (cluster != null) {
                    st.setString(i++, cluster);
                }
                st.setInt(i, limit);
                ResultSet rs = st.executeQuery();
                List<DrillReport> reports = new ArrayList<>();
                while (rs.next()) {
                    reports.add(parse(rs.getString(2)).withId(rs.getLong(1)).withoutTimelines());
                }
                return reports;
            }
        });
    }

    public DrillReport get(long id) {
        return store.inTransaction(c -> {
            try (PreparedStatement st = c.prepareStatement("SELECT id, report FROM drill WHERE id = ?")) {
                st.setLong(1, id);
                ResultSet rs = st.executeQuery();
                if (!rs.next()) {
                    throw ApiFailure.notFound("There is no drill report " + id + ".");
                }
                return parse(rs.getString(2)).withId(rs.getLong(1));
            }
        });
    }

    private static void check(DrillReport r) {
        if (r == null) {
            throw new ApiFailure(400, "A drill report is required.", null);
        }
        Names.check("cluster", "The cluster name", r.cluster());
        if (!java.util.List.of("power-off", "freeze", "partition", "switch").contains(String.valueOf(r.fault()))) {
            throw new ApiFailure(400, "The fault is power-off, freeze, partition or switch.", "fault");
        }
        Names.check("idc", "The IDC name", r.idc());
        if (r.rounds() == null || r.rounds().isEmpty() || r.rounds().size() > MAX_ROUNDS) {
            throw new ApiFailure(400, "A drill report has between 1 and " + MAX_ROUNDS + " rounds.", "rounds");
        }
        if (r.startedMillis() <= 0 || r.finishedMillis() < r.startedMillis()) {
            throw new ApiFailure(400, "A drill report starts before it finishes.", "startedMillis");
        }
    }

    private static String firstProblem(DrillReport r) {
        return r.rounds().stream().filter(x -> !x.passed()).findFirst()
                .map(x -> "round " + x.round() + (x.rpo() != 0 ? " lost " + x.rpo() + " write(s)" : "")
                        + (x.problem() == null || x.problem().isEmpty() ? "" : " (" + x.problem() + ")"))
                .orElse("no round passed");
    }

    private static String json(DrillReport r) {
        try {
            return Json.MAPPER.writeValueAsString(r);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static DrillReport parse(String text) {
        try {
            return Json.MAPPER.readValue(text, DrillReport.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("A stored drill report cannot be read: " + e.getMessage(), e);
        }
    }
}
