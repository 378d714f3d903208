package org.idcguard.agent.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.Callable;
import org.idcguard.client.ApiPaths;
import org.idcguard.model.AuditCsv;
import org.idcguard.model.Event;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** What operators did, newest first: the audit trail, narrowed, as a table or as CSV for an auditor. */
@Command(name = "audit", description = "Prints what operators did (every change names its operator and reason), newest first.")
final class AuditCommand implements Callable<Integer> {
    @Mixin
    HomeOption homeOption;
    @Option(names = "--operator", description = "Only this operator's.")
    String operator;
    @Option(names = "--subject", description = "Only about this cluster, IDC or computer.")
    String subject;
    @Option(names = "--kind", description = "Only events whose kind starts so (e.g. switch., drill., dr.).")
    String kind;
    @Option(names = "--since", description = "From this instant (ISO-8601, e.g. 2026-12-01T00:00:00Z).")
    String since;
    @Option(names = "--until", description = "Up to this instant (ISO-8601).")
    String until;
    @Option(names = "--csv", description = "CSV (time, operator, reason, kind, subject, message) instead of a table.")
    boolean csv;

    @Override
    public Integer call() {
        String path = ApiPaths.AUDIT;
        path = ApiPaths.query(path, "operator", operator);
        path = ApiPaths.query(path, "subject", subject);
        path = ApiPaths.query(path, "kind", kind);
        path = ApiPaths.query(path, "since", since == null ? null : Long.toString(instant("--since", since)));
        path = ApiPaths.query(path, "until", until == null ? null : Long.toString(instant("--until", until)));
        List<Event> events = ManagerClient.of(homeOption.home()).get(path, new TypeReference<>() { });
        if (csv) {
            System.out.print(AuditCsv.write(events));
            return 0;
        }
        System.out.printf("%-24s %-14s %-22s %-20s %s%n", "TIME", "OPERATOR", "KIND", "SUBJECT", "WHAT (REASON)");
        for (Event e : events) {
            System.out.printf("%-24s %-14s %-22s %-20s %s%s%n", Instant.ofEpochMilli(e.timeMillis()), e.actor(), e.kind(),
                    e.subject(), e.message(), e.reason() == null ? "" : " (" + e.reason() + ")");
        }
        return 0;
    }

    private static long instant(String option, String value) {
        try {
            return Instant.parse(value).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new CliFailure(option + " must be an ISO-8601 instant such as 2026-12-01T00:00:00Z, not '" + value + "'.", 2);
        }
    }
}
