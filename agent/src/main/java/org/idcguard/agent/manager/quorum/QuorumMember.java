package org.idcguard.agent.manager.quorum;

import java.util.ArrayList;
import java.util.List;
import org.idcguard.model.InvalidInput;

/** One manager of a quorum and its embedded ZooKeeper peer: the address and the peer's client, quorum and election ports. */
public record QuorumMember(int id, String host, int clientPort, int peerPort, int electionPort) {

    /** This member as a ZooKeeper server line: {@code host:peer:election;client}. */
    String serverLine() {
        return host + ":" + peerPort + ":" + electionPort + ";" + host + ":" + clientPort;
    }

    String clientAddress() {
        return host + ":" + clientPort;
    }

    /**
     * Parses {@code 1=host:client:peer:election,2=...}, the form {@code manager --quorum} takes; the same list on every
     * member.
     */
    public static List<QuorumMember> parseAll(String spec) {
        List<QuorumMember> members = new ArrayList<>();
        for (String part : spec.split(",")) {
            String[] idAndRest = part.strip().split("=", 2);
            String[] fields = idAndRest.length == 2 ? idAndRest[1].split(":") : new String[0];
            if (fields.length != 4) {
                throw new InvalidInput("quorum", "Each quorum member reads id=host:clientPort:peerPort:electionPort, not '"
                        + org.idcguard.model.Names.shorten(part.strip()) + "'.");
            }
            try {
                members.add(new QuorumMember(Integer.parseInt(idAndRest[0].strip()), fields[0], Integer.parseInt(fields[1]),
                        Integer.parseInt(fields[2]), Integer.parseInt(fields[3])));
            } catch (NumberFormatException e) {
                throw new InvalidInput("quorum", "A quorum member's id and ports are whole numbers: '"
                        + org.idcguard.model.Names.shorten(part.strip()) + "'.");
            }
        }
        if (members.stream().map(QuorumMember::id).distinct().count() != members.size()) {
            throw new InvalidInput("quorum", "Two quorum members have the same id.");
        }
        return List.copyOf(members);
    }

    public static String format(List<QuorumMember> members) {
        return String.join(",", members.stream().map(m -> m.id() + "=" + m.host() + ":" + m.clientPort() + ":" + m.peerPort()
                + ":" + m.electionPort()).toList());
    }
}
