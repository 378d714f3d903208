package org.idcguard.agent.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.idcguard.model.NodeView;

/**
 * A stalled replication link: nftables drops what a primary sends on some standbys' WAL streams, so they stay
 * connected and receive nothing. Freezing a standby is not the same: its kernel goes on accepting the primary's WAL
 * into the socket, and the standby, thawed, may read all of it even after the primary died. Each stream is told
 * apart by the standby's client port (every standby here connects from the loopback address). Needs root and nft.
 */
public final class WalStreamDrop implements AutoCloseable {
    private final String table = "idcguard_test_stall_" + ProcessHandle.current().pid();

    /** A primary and the standbys whose streams from it are to stall. */
    public record Streams(NodeView primary, List<NodeView> standbys) {
    }

    public WalStreamDrop(LocalEstate estate, List<Streams> streams) throws Exception {
        List<String> rules = new ArrayList<>();
        for (Streams s : streams) {
            try (Connection c = estate.superuser(s.primary(), s.primary())) {
                for (NodeView standby : s.standbys()) {
                    rules.add("ip saddr " + s.primary().address() + " tcp sport " + s.primary().port() + " tcp dport "
                            + clientPort(c, standby) + " drop");
                }
            }
        }
        nft("add table ip " + table);
        try {
            nft("add chain ip " + table + " out { type filter hook output priority 0 ; policy accept ; }");
            for (String rule : rules) {
                nft("add rule ip " + table + " out " + rule);
            }
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    private static int clientPort(Connection primary, NodeView standby) throws Exception {
        try (PreparedStatement ps = primary.prepareStatement("SELECT client_port FROM pg_stat_replication WHERE application_name = ?")) {
            ps.setString(1, standby.name());
            ResultSet rs = ps.executeQuery();
            if (!rs.next()) {
                throw new AssertionError(standby.name() + " does not stream from " + primary.getMetaData().getURL());
            }
            return rs.getInt(1);
        }
    }

    @Override
    public void close() throws Exception {
        nft("delete table ip " + table);
    }

    private static void nft(String command) throws Exception {
        List<String> args = new ArrayList<>(List.of("nft"));
        args.addAll(List.of(command.split(" ")));
        Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("nft " + command + ": " + out);
        }
    }
}
