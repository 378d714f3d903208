package org.idcguard.agent.cli;

import java.nio.file.Path;
import org.idcguard.agent.home.AgentHome;
import picocli.CommandLine.Option;

/** The {@code --home} option every command shares. */
public final class HomeOption {
    @Option(names = "--home", paramLabel = "DIR", description = "IDC Guard home (default: $IDCGUARD_HOME or ~/.idcguard).")
    Path home;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why (a ticket): recorded with every change this command "
            + "makes, in the events and the audit trail (default: $IDCGUARD_REASON).")
    String reason;

    public AgentHome home() {
        if (reason != null) {
            ManagerClient.reason(reason);
        }
        return AgentHome.resolve(home);
    }
}
