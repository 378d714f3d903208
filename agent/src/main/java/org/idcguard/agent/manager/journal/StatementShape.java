package org.idcguard.agent.manager.journal;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The only statements the managers' log may carry, checked where the leader records one and again where a manager
 * applies one: a single INSERT, UPDATE or DELETE of rows in a metadata table, with its values as parameters. Nothing
 * that changes the schema, runs code (H2's CREATE ALIAS, triggers), reads or writes files (FILE_READ, CSVWRITE,
 * RUNSCRIPT, SCRIPT, LINK_SCHEMA), ends one statement to begin another, or hides text in a comment. Our repositories
 * issue nothing else; an entry forged by whoever could write the log is refused before it runs, and the manager stops
 * applying the log there (its copy stays an exact prefix), which the quorum's health shows.
 */
public final class StatementShape {
    private static final Pattern VERB = Pattern.compile("^\\s*(?:INSERT\\s+INTO|UPDATE|DELETE\\s+FROM)\\s+(\\w+)(?=[\\s(]|$)",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern FORBIDDEN = Pattern.compile(
            ";|--|/\\*|\\$\\$|\\b(?:CREATE|ALTER|DROP|TRUNCATE|CALL|ALIAS|TRIGGER|RUNSCRIPT|SCRIPT|BACKUP|SHUTDOWN|GRANT|REVOKE"
                    + "|EXECUTE|LINK_SCHEMA|FILE_READ|FILE_WRITE|CSVREAD|CSVWRITE|JAVA_OBJECT|INFORMATION_SCHEMA|SIGNAL"
                    + "|ABORT_SESSION|CANCEL_SESSION|SLEEP|DATABASE_PATH)\\b",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern INSERT_TARGET = Pattern.compile("^\\s*INSERT\\s+INTO\\s+(\\w+)(?=[\\s(]|$)",
            Pattern.CASE_INSENSITIVE);
    private final Set<String> tables;

    /** @param tables upper-case names of the metadata tables the log may change */
    public StatementShape(Set<String> tables) {
        this.tables = Set.copyOf(tables);
    }

    /** Refuses, with one sentence, a statement the log may not carry. */
    public void check(String sql) {
        Matcher verb = VERB.matcher(sql);
        if (!verb.find() || !tables.contains(verb.group(1).toUpperCase(Locale.ROOT))) {
            throw new Refused("The managers' log carries only an INSERT, UPDATE or DELETE of a metadata table, not: "
                    + abbreviated(sql));
        }
        Matcher forbidden = FORBIDDEN.matcher(sql);
        if (forbidden.find()) {
            throw new Refused("The managers' log carries no '" + forbidden.group().strip() + "': " + abbreviated(sql));
        }
    }

    /**
     * Refuses the table an entry names for a generated id unless it is the table the statement inserts into and one
     * whose ids are generated ({@code identityTables}, upper case).
     */
    public void checkKeyTable(String sql, String table, Set<String> identityTables) {
        Matcher insert = INSERT_TARGET.matcher(sql);
        String target = insert.find() ? insert.group(1).toUpperCase(Locale.ROOT) : null;
        if (target == null || !target.equals(table) || !identityTables.contains(table)) {
            throw new Refused("The managers' log names a generated id only for the table its INSERT fills, not '"
                    + abbreviated(table) + "'.");
        }
    }

    private static String abbreviated(String sql) {
        String one = sql.strip().replaceAll("\\s+", " ");
        return one.length() > 120 ? one.substring(0, 120) + "…" : one;
    }

    /** A statement the log may not carry. */
    public static final class Refused extends IllegalStateException {
        Refused(String message) {
            super(message);
        }
    }
}
