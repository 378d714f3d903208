package org.idcguard.agent.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.idcguard.agent.home.AgentHome;
import org.idcguard.agent.manager.quorum.QuorumMember;
import org.idcguard.agent.tls.CertificateAuthority;

/**
 * The demo's quorum of three managers on this machine: one in IDC1, one in IDC2 and one at a third site, each with
 * its ZooKeeper peer in its own process, so losing any one IDC leaves two of three.
 */
final class DemoQuorum {
    static final List<QuorumMember> MEMBERS = List.of(
            new QuorumMember(1, "127.0.1.9", 7490, 7491, 7492),
            new QuorumMember(2, "127.0.2.9", 7490, 7491, 7492),
            new QuorumMember(3, "127.0.3.9", 7490, 7491, 7492));
    static final List<String> SITES = List.of("IDC1", "IDC2", "site3");
    static final List<String> LOG_NAMES = List.of("manager-1", "manager-2", "manager-3");
    private static final int PORT = 7480;

    private DemoQuorum() {
    }

    /**
     * Starts the three supervisors and writes manager.urls. The CA and the token are made here first: every member
     * shares them, and three processes must not each create their own.
     */
    static void start(AgentHome home, LocalProcesses processes, Map<String, Process> started) {
        home.token();
        CertificateAuthority.loadOrCreate(home);
        String quorum = QuorumMember.format(MEMBERS);
        StringBuilder urls = new StringBuilder("# the managers of this home's quorum, written by demo up --managers 3\n");
        for (int i = 0; i < MEMBERS.size(); i++) {
            QuorumMember m = MEMBERS.get(i);
            urls.append("https://").append(m.host()).append(':').append(PORT).append('\n');
            started.put(LOG_NAMES.get(i), processes.start(LOG_NAMES.get(i), "manager", "--member", Integer.toString(m.id()),
                    "--quorum", quorum, "--listen", m.host(), "--port", Integer.toString(PORT), "--idc", SITES.get(i),
                    "--home", home.root().toString()));
        }
        try {
            Files.writeString(home.layout().managerUrlsFile(), urls);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + home.layout().managerUrlsFile() + ": " + e.getMessage(), e);
        }
    }
}
