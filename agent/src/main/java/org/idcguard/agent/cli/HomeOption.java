package org.idcguard.agent.cli;

import java.nio.file.Path;
import org.idcguard.agent.home.AgentHome;
import picocli.CommandLine.Option;

/** The {@code --home} option every command shares. */
public final class HomeOption {
    @Option(names = "--home", paramLabel = "DIR", description = "IDC Guard home (default: $IDCGUARD_HOME or ~/.idcguard).")
    Path home;

    public AgentHome home() {
        return AgentHome.resolve(home);
    }
}
