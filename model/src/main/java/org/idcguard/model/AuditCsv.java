package org.idcguard.model;

import java.time.Instant;
import java.util.List;

/** An audit trail as CSV (RFC 4180): time, operator, reason, kind, subject, message; what an auditor files. */
public final class AuditCsv {
    private AuditCsv() {
    }

    public static String write(List<Event> events) {
        StringBuilder out = new StringBuilder("time,operator,reason,kind,subject,message\r\n");
        for (Event e : events) {
            out.append(Instant.ofEpochMilli(e.timeMillis())).append(',').append(field(e.actor())).append(',')
                    .append(field(e.reason())).append(',').append(field(e.kind())).append(',').append(field(e.subject()))
                    .append(',').append(field(e.message())).append("\r\n");
        }
        return out.toString();
    }

    private static String field(String value) {
        if (value == null) {
            return "";
        }
        // a leading =, +, - or @ would be a formula to a spreadsheet: quoted with a leading apostrophe (OWASP CSV injection)
        String safe = !value.isEmpty() && "=+-@".indexOf(value.charAt(0)) >= 0 ? "'" + value : value;
        return "\"" + safe.replace("\"", "\"\"") + "\"";
    }
}
