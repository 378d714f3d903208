package org.idcguard.agent.manager.quorum;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.KeeperException;
import org.idcguard.agent.home.AtomicFiles;
import org.idcguard.agent.http.Json;

/**
 * Which ensemble a member belongs to: a generation, raised each time the quorum is re-formed around survivors
 * ({@code manager reform}), and the members of that generation. Generation 0 is the ensemble the members were first
 * started with, and has no record.
 *
 * <p>ZooKeeper's own membership cannot say this: a dynamic reconfig needs a quorum of the old ensemble, which is what
 * was lost, so the survivor is restarted with a new static server list on its own data, and the old members, whose
 * configuration still lists the old ensemble, would form a majority of it again when they return together. The
 * generation is what tells them apart. It is kept in two places: beside the member's data ({@link #FILE}, written by
 * the reform before the member starts again, the one thing the survivor knows before it has a ZooKeeper to write to)
 * and in ZooKeeper ({@link ManagerQuorum#ENSEMBLE}, written by the first leader of the generation), where every
 * member of the ensemble reads it and a returning old member finds it by asking the peers it lists.
 *
 * <p>The generation is also the high half of every epoch (see {@link ManagerQuorum#epochOf}): any epoch of a newer
 * generation is greater than every epoch an older ensemble can still issue, so node agents that heard the re-formed
 * leader refuse the old ensemble's commands however many elections it holds.
 */
public record Ensemble(long generation, List<QuorumMember> members, List<QuorumMember> formerMembers, int reformedBy,
                       long reformedAtMillis, String reason) {
    static final String FILE = "ensemble.json";
    /** A peer that accepts a connection but serves no session within this is not answering (it looks for a quorum). */
    private static final int SESSION_WAIT_MILLIS = 2500;
    private static final int CONNECT_MILLIS = 1000;

    public boolean lists(int member) {
        return members.stream().anyMatch(m -> m.id() == member);
    }

    public String memberIds() {
        return String.join(", ", members.stream().map(m -> Integer.toString(m.id())).toList());
    }

    /** The record beside a member's data (members/N), if the member was re-formed; empty for generation 0. */
    public static Optional<Ensemble> readLocal(Path memberDir) {
        Path file = memberDir.resolve(FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Json.MAPPER.readValue(file.toFile(), Ensemble.class));
        } catch (IOException e) {
            throw new UncheckedIOException("The member's ensemble record " + file + " cannot be read: " + e.getMessage(), e);
        }
    }

    public void writeLocal(Path memberDir) {
        try {
            Files.createDirectories(memberDir);
            AtomicFiles.write(memberDir.resolve(FILE), Json.MAPPER.writeValueAsString(this), "rw-------");
        } catch (IOException e) {
            throw new UncheckedIOException("The member's ensemble record cannot be written in " + memberDir + ": " + e.getMessage(), e);
        }
    }

    byte[] toBytes() {
        try {
            return Json.MAPPER.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Ensemble fromBytes(byte[] data) {
        try {
            return Json.MAPPER.readValue(data, Ensemble.class);
        } catch (IOException e) {
            throw new UncheckedIOException("The ensemble record in ZooKeeper cannot be read: " + e.getMessage(), e);
        }
    }

    /** True when something listens at the member's client or election port (a peer, running, maybe without a quorum). */
    public static boolean answers(QuorumMember m) {
        return listens(m.host(), m.clientPort()) || listens(m.host(), m.electionPort());
    }

    private static boolean listens(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), CONNECT_MILLIS);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The ensemble record each other member's peer serves, asked of each peer alone and all at once: a peer that
     * serves a session answers its own ensemble's record (generation 0 without one); a peer that is down, or looks
     * for a quorum, answers nothing. Used by a member before it joins and before it leads.
     */
    static List<Ensemble> askPeers(List<QuorumMember> members, int ownId, QuorumTls tls) {
        List<CompletableFuture<Optional<Ensemble>>> asked = members.stream().filter(m -> m.id() != ownId)
                .map(m -> CompletableFuture.supplyAsync(() -> ask(m, tls))).toList();
        return asked.stream().map(CompletableFuture::join).flatMap(Optional::stream).toList();
    }

    private static Optional<Ensemble> ask(QuorumMember m, QuorumTls tls) {
        if (!listens(m.host(), m.clientPort())) {
            return Optional.empty();
        }
        try (CuratorFramework zk = CuratorFrameworkFactory.builder().connectString(m.clientAddress())
                .zkClientConfig(tls.clientConfig()).aclProvider(ManagerQuorum.MANAGERS_ONLY).sessionTimeoutMs(ManagerQuorum.SESSION_MILLIS)
                .connectionTimeoutMs(CONNECT_MILLIS).retryPolicy(new RetryNTimes(0, 0)).build()) {
            zk.start();
            if (!zk.blockUntilConnected(SESSION_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                return Optional.empty();
            }
            try {
                return Optional.of(fromBytes(zk.getData().forPath(ManagerQuorum.ENSEMBLE)));
            } catch (KeeperException.NoNodeException none) {
                return Optional.of(new Ensemble(0, List.of(), List.of(), 0, 0, ""));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    /**
     * Refuses to go on (a {@link Superseded}) when a peer this member lists serves a newer generation: the quorum was
     * re-formed without this member (or with it, on a copy newer than this one), so its own list is the old ensemble's.
     */
    public static void checkNotSuperseded(List<QuorumMember> members, int ownId, long ownGeneration, QuorumTls tls) {
        for (Ensemble newer : askPeers(members, ownId, tls)) {
            if (newer.generation() > ownGeneration) {
                throw new Superseded(newer, ownId, ownGeneration);
            }
        }
    }

    /** A member of an older generation than the quorum's: it neither joins nor leads. */
    public static final class Superseded extends RuntimeException {
        public Superseded(String sentence) {
            super(sentence);
        }

        Superseded(Ensemble newer, int ownId, long ownGeneration) {
            super("Member " + ownId + " belongs to generation " + ownGeneration + " of the quorum, but the quorum was re-formed "
                    + "by member " + newer.reformedBy() + " as generation " + newer.generation() + " with members "
                    + newer.memberIds() + " (" + newer.reason() + "), so it does not join or lead the old ensemble.");
        }
    }
}
