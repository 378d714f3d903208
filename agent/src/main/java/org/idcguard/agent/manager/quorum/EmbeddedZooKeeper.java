package org.idcguard.agent.manager.quorum;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.apache.zookeeper.server.embedded.ExitHandler;
import org.apache.zookeeper.server.embedded.ZooKeeperServerEmbedded;

/**
 * The ZooKeeper peer a manager runs inside its own process, so a manager and its vote stand and fall together: a
 * lost IDC takes both. Short ticks: a dead peer is noticed within {@link #SYNC_TICKS} ticks, and a session can be as
 * short as the managers' (two ticks at least).
 */
public final class EmbeddedZooKeeper implements AutoCloseable {
    static final int TICK_MILLIS = 250;
    private static final int SYNC_TICKS = 8;
    private final ZooKeeperServerEmbedded server;
    private final int ownId;

    private EmbeddedZooKeeper(ZooKeeperServerEmbedded server, int ownId) {
        this.server = server;
        this.ownId = ownId;
    }

    /**
     * This peer's state as its JMX beans say (the peer runs in this process): "leader", "follower", or "looking"
     * while an election runs or it has no quorum.
     */
    public String state() {
        try {
            var beans = java.lang.management.ManagementFactory.getPlatformMBeanServer().queryNames(new javax.management.ObjectName(
                    "org.apache.ZooKeeperService:name0=ReplicatedServer_id" + ownId + ",name1=replica." + ownId + ",name2=*"), null);
            for (var bean : beans) {
                String role = bean.getKeyProperty("name2");
                if (role.equals("Leader") || role.equals("Follower") || role.equals("Observer")) {
                    return role.toLowerCase(java.util.Locale.ROOT);
                }
            }
            return "looking";
        } catch (javax.management.MalformedObjectNameException e) {
            return "unknown";
        }
    }

    /** Starts this member's peer with its data under dir; returns once it serves clients or fails. */
    public static EmbeddedZooKeeper start(List<QuorumMember> members, int ownId, Path dir, QuorumTls tls) {
        QuorumMember own = members.stream().filter(m -> m.id() == ownId).findFirst().orElseThrow(() ->
                new IllegalArgumentException("Member " + ownId + " is not in the quorum list."));
        try {
            Path data = dir.resolve("data");
            Files.createDirectories(data);
            Files.writeString(data.resolve("myid"), Integer.toString(ownId));
            Properties config = new Properties();
            config.put("tickTime", Integer.toString(TICK_MILLIS));
            config.put("initLimit", "40");
            config.put("syncLimit", Integer.toString(SYNC_TICKS));
            config.put("dataDir", data.toString());
            // TLS only: the client port is the secure one, and no plain port is opened
            config.put("secureClientPort", Integer.toString(own.clientPort()));
            config.put("secureClientPortAddress", own.host());
            tls.configurePeer(config);
            config.put("admin.enableServer", "false");
            config.put("4lw.commands.enabled", "false");
            config.put("autopurge.snapRetainCount", "3");
            config.put("autopurge.purgeInterval", "1");
            config.put("standaloneEnabled", "false");
            config.put("reconfigEnabled", "false");
            for (QuorumMember m : members) {
                config.put("server." + m.id(), m.host() + ":" + m.peerPort() + ":" + m.electionPort());
            }
            ZooKeeperServerEmbedded server = ZooKeeperServerEmbedded.builder().baseDir(dir).configuration(config)
                    .exitHandler(ExitHandler.EXIT).build();
            server.start();
            return new EmbeddedZooKeeper(server, ownId);
        } catch (IOException e) {
            throw new UncheckedIOException("The ZooKeeper peer cannot keep its data in " + dir + ": " + e.getMessage(), e);
        } catch (Exception e) {
            throw new IllegalStateException("The ZooKeeper peer of member " + ownId + " cannot start: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
