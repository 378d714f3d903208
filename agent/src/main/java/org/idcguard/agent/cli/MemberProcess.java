package org.idcguard.agent.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.idcguard.agent.home.AgentHome;
import org.idcguard.agent.home.AtomicFiles;
import org.idcguard.agent.http.Json;

/**
 * How a quorum member was last started on this host (members/N/process.json): its supervisor's pid, its own, and its
 * arguments. {@code manager reform} reads the old quorum list from them and restarts the member with the new one.
 */
record MemberProcess(long supervisorPid, long pid, List<String> args) {
    private static final String FILE = "process.json";

    static Path memberDir(AgentHome home, int member) {
        return home.root().resolve("members").resolve(Integer.toString(member));
    }

    static void write(AgentHome home, int member, List<String> args) {
        ProcessHandle self = ProcessHandle.current();
        MemberProcess record = new MemberProcess(self.parent().map(ProcessHandle::pid).orElse(0L), self.pid(), List.copyOf(args));
        try {
            Path dir = memberDir(home, member);
            Files.createDirectories(dir);
            AtomicFiles.write(dir.resolve(FILE), Json.MAPPER.writeValueAsString(record), "rw-------");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot record how member " + member + " was started: " + e.getMessage(), e);
        }
    }

    static Optional<MemberProcess> read(AgentHome home, int member) {
        Path file = memberDir(home, member).resolve(FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Json.MAPPER.readValue(file.toFile(), MemberProcess.class));
        } catch (IOException e) {
            throw new CliFailure("The record of member " + member + "'s start, " + file + ", cannot be read: " + e.getMessage() + ".");
        }
    }

    /** The value of an option in the arguments ({@code --name value} or {@code --name=value}), if given. */
    Optional<String> option(String name) {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals(name) && i + 1 < args.size()) {
                return Optional.of(args.get(i + 1));
            }
            if (a.startsWith(name + "=")) {
                return Optional.of(a.substring(name.length() + 1));
            }
        }
        return Optional.empty();
    }

    /** The arguments with the option's value replaced. */
    List<String> withOption(String name, String value) {
        List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals(name) && i + 1 < args.size()) {
                out.add(name);
                out.add(value);
                i++;
            } else if (a.startsWith(name + "=")) {
                out.add(name + "=" + value);
            } else {
                out.add(a);
            }
        }
        return out;
    }
}
