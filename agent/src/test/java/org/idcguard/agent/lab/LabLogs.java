package org.idcguard.agent.lab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The lab's own process logs, for a failure message: the last lines of each. */
final class LabLogs {
    private LabLogs() {
    }

    static String tails(Path home, int lines) {
        StringBuilder text = new StringBuilder();
        try (var files = Files.list(home.resolve("logs"))) {
            for (Path f : files.toList()) {
                List<String> all = Files.readAllLines(f);
                text.append("\n--- ").append(f.getFileName()).append('\n')
                        .append(String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size())));
            }
        } catch (java.io.IOException e) {
            text.append("\n(no logs: ").append(e.getMessage()).append(')');
        }
        return text.toString();
    }
}
