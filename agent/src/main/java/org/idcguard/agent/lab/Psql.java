package org.idcguard.agent.lab;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * psql on a lab host with a cluster's URI, the password moved out of the command line (where every user of the
 * machine could read it in the process list) into the child's environment ({@code PGPASSWORD}).
 */
public final class Psql {
    private static final Pattern PASSWORD = Pattern.compile("^(postgresql://[^:@/]+):([^@]*)@");

    private Psql() {
    }

    /** The URI without its password, and the password (empty when it had none). */
    public record Split(String uri, String password) {
    }

    public static Split split(String uri) {
        Matcher m = PASSWORD.matcher(uri);
        if (!m.find()) {
            return new Split(uri, "");
        }
        return new Split(m.replaceFirst(Matcher.quoteReplacement(m.group(1)) + "@"),
                URLDecoder.decode(m.group(2), StandardCharsets.UTF_8));
    }

    /** A process builder for {@code psql URI args...} on the host, the password in its environment. */
    public static ProcessBuilder on(LabHost host, Path psql, String uri, List<String> args) {
        Split s = split(uri);
        List<String> command = new java.util.ArrayList<>(List.of(psql.toString(), s.uri()));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(LabNetwork.inside(host, command));
        if (!s.password().isEmpty()) {
            pb.environment().put("PGPASSWORD", s.password());
        }
        return pb;
    }

    /** Runs one statement on the host and returns how psql ended, with its output (errors included). */
    public static LabNetwork.Result run(LabHost host, Path psql, String uri, String sql) {
        try {
            Process p = on(host, psql, uri, List.of("-qAtX", "-c", sql)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new LabNetwork.Result(p.waitFor(), out);
        } catch (java.io.IOException e) {
            return new LabNetwork.Result(-1, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new LabNetwork.Result(-1, "interrupted");
        }
    }

    /** The environment a shell running psql needs for this URI. */
    public static Map<String, String> environment(String uri) {
        String password = split(uri).password();
        return password.isEmpty() ? Map.of() : Map.of("PGPASSWORD", password);
    }
}
