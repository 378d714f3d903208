package org.idcguard.agent.manager.quorum;

import org.idcguard.agent.manager.journal.LogEntry;

import org.idcguard.agent.manager.journal.Journal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.SessionConnectionStateErrorPolicy;
import org.apache.curator.retry.RetryForever;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.idcguard.agent.http.Json;
import org.idcguard.agent.manager.MetadataStore;
import org.idcguard.model.ManagerInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This manager's place in the quorum, through Curator: one leader elected ({@link LeaderLatch}), an epoch raised by
 * compare-and-set each time a manager takes the lead, and the log of the leader's metadata writes, each appended only
 * while the epoch is still its own. The epoch is the fencing token: node agents refuse commands of an older one.
 *
 * <p>A manager acts only while it leads with its session connected: a suspended connection closes the gate at once
 * ({@link #mayAct()}); a lost session or lost lead ends the process (its supervisor starts it again as a follower), so
 * nothing a deposed leader had in flight goes on inside it.
 */
public final class ManagerQuorum implements Journal, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ManagerQuorum.class);
    /**
     * Every znode the managers make: readable and writable by a manager's certificate only ({@code x509} is the
     * subject ZooKeeper's TLS authentication knows a session by), nobody else, whoever else reaches the ensemble (an
     * ensemble of the distribution's, given with {@code --zookeeper}, admits what its own configuration admits).
     */
    // not List.of: ZooKeeper asks the list whether it contains null, which an immutable List.of answers with an exception
    public static final List<org.apache.zookeeper.data.ACL> ACL = java.util.Collections.singletonList(new org.apache.zookeeper.data.ACL(
            org.apache.zookeeper.ZooDefs.Perms.ALL, new org.apache.zookeeper.data.Id("x509",
                    "CN=" + org.idcguard.agent.tls.CertificateAuthority.MANAGER_NAME)));
    /** Curator's view of {@link #ACL}, for every path. */
    static final org.apache.curator.framework.api.ACLProvider MANAGERS_ONLY = new org.apache.curator.framework.api.ACLProvider() {
        @Override
        public List<org.apache.zookeeper.data.ACL> getDefaultAcl() {
            return ACL;
        }

        @Override
        public List<org.apache.zookeeper.data.ACL> getAclForPath(String path) {
            return ACL;
        }
    };
    static final String ROOT = "/idcguard";
    static final String EPOCH = ROOT + "/epoch";
    static final String LOG = ROOT + "/log";
    static final String MANAGERS = ROOT + "/managers";
    static final String LEADER = ROOT + "/leader";
    /** The ensemble's generation and members ({@link Ensemble}); absent for generation 0. */
    static final String ENSEMBLE = ROOT + "/ensemble";
    /** The first position the log still holds: entries below it were applied by every member and deleted. */
    static final String LOG_START = ROOT + "/log-start";
    /** The newest entries are kept even when every member has applied them. */
    static final long KEEP = 1000;
    private static final long TRIM_EVERY_SECONDS = 30;
    /** A session this long is noticed lost by the others and re-elected within it; see docs/decisions.md. */
    public static final int SESSION_MILLIS = 2500;
    /** The exit status of a manager that stopped because it no longer leads: its supervisor starts it again. */
    public static final int EXIT_DEPOSED = 75;
    /**
     * The exit status of a member of an older generation of the quorum than its peers' ({@link Ensemble.Superseded}):
     * starting it again would change nothing, so its supervisor does not.
     */
    public static final int EXIT_SUPERSEDED = 78;
    private final CuratorFramework zk;
    private final int ownId;
    private final MetadataStore store;
    private final LeaderLatch latch;
    private final ExecutorService leadership = Executors.newSingleThreadExecutor(r -> new Thread(r, "quorum-leadership"));
    /** Publishes how far this copy has applied the log, for {@code GET /api/managers}. */
    private final java.util.concurrent.ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "quorum-progress");
        t.setDaemon(true);
        return t;
    });
    private long published = -1;
    private String publishedPeer = "";
    /** The state of this manager's own ZooKeeper peer, published with its registration ("external" without one). */
    private java.util.function.Supplier<String> peerState = () -> "external";
    private PersistentNode registration;
    private final LogFollower follower;
    private final List<QuorumMember> members;
    private volatile ManagerInfo self;
    private volatile long epoch = -1;
    /** The version of {@link #EPOCH} this leader set: what its appends and trims check. */
    private volatile int epochVersion = -1;
    /** This member's ensemble as recorded beside its data (generation 0 when it was never re-formed). */
    private final Ensemble local;
    private final QuorumTls tls;
    /** Set when this leader is the first of a re-formed generation and recorded it in ZooKeeper. */
    private volatile Ensemble reformed;
    private volatile boolean connected = true;
    private volatile boolean leading;
    private volatile long next;
    private Runnable onLeading = () -> { };

    private ManagerQuorum(CuratorFramework zk, int ownId, List<QuorumMember> members, MetadataStore store, Ensemble local,
                          QuorumTls tls) {
        this.zk = zk;
        this.local = local;
        this.tls = tls;
        this.ownId = ownId;
        this.members = members;
        this.store = store;
        this.latch = new LeaderLatch(zk, LEADER, Integer.toString(ownId));
        this.follower = new LogFollower(zk, store);
    }

    /** Connects to the ensemble at connect (host:port,...), waiting up to a minute for it to form. */
    public static ManagerQuorum connect(String connect, int ownId, List<QuorumMember> members, MetadataStore store, QuorumTls tls,
                                        Optional<Ensemble> local) {
        CuratorFramework zk = CuratorFrameworkFactory.builder().connectString(connect).zkClientConfig(tls.clientConfig()).aclProvider(MANAGERS_ONLY)
                .sessionTimeoutMs(SESSION_MILLIS).connectionTimeoutMs(1000)
                .retryPolicy(new RetryForever(200))
                .connectionStateErrorPolicy(new SessionConnectionStateErrorPolicy())
                .build();
        zk.start();
        try {
            if (!zk.blockUntilConnected(60, TimeUnit.SECONDS)) {
                zk.close();
                throw new IllegalStateException("No ZooKeeper quorum answers at " + connect + " within 60 s.");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            zk.close();
            throw new IllegalStateException("Interrupted while connecting to ZooKeeper.");
        }
        store.followQuorum();
        return new ManagerQuorum(zk, ownId, members, store, local.orElse(new Ensemble(0, members, List.of(), 0, 0, "")), tls);
    }

    /**
     * Registers this manager, starts following the log, and enters the election; onLeading runs (on the leadership
     * thread) once this manager leads with its copy caught up, before it acts.
     */
    public void start(ManagerInfo self, Runnable onLeading, java.util.function.Supplier<String> peerState) throws Exception {
        this.self = self;
        this.peerState = peerState;
        this.onLeading = onLeading;
        ensure(EPOCH);
        ensure(LOG);
        ensure(MANAGERS);
        ensure(LOG_START);
        checkEnsemble();
        // an ephemeral node that Curator makes again in every new session: a follower whose session expired (the
        // quorum was lost a while) registers again by itself
        registration = new PersistentNode(zk, CreateMode.EPHEMERAL, false, MANAGERS + "/" + ownId, Json.MAPPER.writeValueAsBytes(self));
        registration.start();
        registration.waitForInitialCreate(30, TimeUnit.SECONDS);
        zk.getConnectionStateListenable().addListener((client, state) -> connectionChanged(state));
        follower.start();
        latch.addListener(new LeaderLatchListener() {
            @Override
            public void isLeader() {
                leadership.execute(ManagerQuorum.this::takeLead);
            }

            @Override
            public void notLeader() {
                if (leading) {
                    end("it lost the lead");
                }
            }
        });
        latch.start();
        progress.scheduleWithFixedDelay(this::publishProgress, 0, 1, TimeUnit.SECONDS);
        progress.scheduleWithFixedDelay(this::trimSafely, TRIM_EVERY_SECONDS, TRIM_EVERY_SECONDS, TimeUnit.SECONDS);
    }

    private void publishProgress() {
        try {
            long applied = store.appliedPosition();
            String peer = peerState.get();
            if (applied != published || !peer.equals(publishedPeer)) {
                ManagerInfo info = new ManagerInfo(self.id(), self.url(), self.idc(), self.pid(), "", peer, applied);
                registration.setData(Json.MAPPER.writeValueAsBytes(info));
                published = applied;
                publishedPeer = peer;
            }
        } catch (Exception e) {
            // out of reach for now: the next round publishes it
        }
    }

    private void ensure(String path) throws Exception {
        try {
            zk.create().creatingParentsIfNeeded().forPath(path, new byte[0]);
        } catch (KeeperException.NodeExistsException already) {
            // created by another member or an earlier start
        }
    }

    /**
     * Before a member follows or leads: the ensemble record its ZooKeeper holds must not be of a newer generation than
     * its own, and must list it. A member of a re-formed quorum whose copy of the record is older (it was left out)
     * stops here with {@link #EXIT_SUPERSEDED}.
     */
    private void checkEnsemble() throws Exception {
        Ensemble recorded;
        try {
            recorded = Ensemble.fromBytes(zk.getData().forPath(ENSEMBLE));
        } catch (KeeperException.NoNodeException none) {
            return; // generation 0, or a re-formed one whose first leader has not recorded it yet
        }
        if (recorded.generation() > local.generation() || !recorded.lists(ownId)) {
            throw new Ensemble.Superseded(recorded, ownId, local.generation());
        }
    }

    /** The fencing token of a leader: the ensemble's generation above the version of {@link #EPOCH} it set. */
    static long epochOf(long generation, int version) {
        return (generation << 32) | version;
    }

    /**
     * Raises the epoch (so the old leader can append nothing more), applies the log to its end, then acts. A member
     * first makes sure it is of the newest generation: its own ZooKeeper's record, and every peer it lists that
     * answers (a returning member of the old ensemble whose pair elected it finds the re-formed member here, if it
     * did not at its start); the first leader of a re-formed generation records it.
     */
    private void takeLead() {
        try {
            checkEnsemble();
            if (!members.isEmpty()) {
                Ensemble.checkNotSuperseded(members, ownId, local.generation(), tls);
            }
            if (local.generation() > 0) {
                recordGeneration();
            }
            Stat stat = new Stat();
            while (true) {
                zk.getData().storingStatIn(stat).forPath(EPOCH);
                try {
                    Stat set = zk.setData().withVersion(stat.getVersion()).forPath(EPOCH,
                            Integer.toString(ownId).getBytes(StandardCharsets.UTF_8));
                    epochVersion = set.getVersion();
                    epoch = epochOf(local.generation(), epochVersion);
                    break;
                } catch (KeeperException.BadVersionException raced) {
                    // another member raised it between our read and write: read again
                }
            }
            follower.stop();
            next = follower.catchUp() + 1;
            store.lead(this);
            leading = true;
            log.info("Manager {} leads in epoch {} from log position {}.", ownId, epoch, next - 1);
            onLeading.run();
        } catch (Ensemble.Superseded e) {
            leading = false;
            log.error(e.getMessage());
            System.err.println(e.getMessage());
            Runtime.getRuntime().halt(EXIT_SUPERSEDED);
        } catch (Exception e) {
            end("it could not take the lead: " + e.getMessage());
        }
    }

    /** Writes this member's generation into ZooKeeper if the record there is older (the re-formed quorum's first lead). */
    private void recordGeneration() throws Exception {
        Stat stat = new Stat();
        try {
            Ensemble there = Ensemble.fromBytes(zk.getData().storingStatIn(stat).forPath(ENSEMBLE));
            if (there.generation() >= local.generation()) {
                return;
            }
            zk.setData().withVersion(stat.getVersion()).forPath(ENSEMBLE, local.toBytes());
        } catch (KeeperException.NoNodeException none) {
            zk.create().forPath(ENSEMBLE, local.toBytes());
        }
        reformed = local;
        log.info("Manager {} recorded generation {} of the quorum (members {}).", ownId, local.generation(), local.memberIds());
    }

    /** The re-formed generation this leader was the first to lead, if it was. */
    public Optional<Ensemble> reformedNow() {
        return Optional.ofNullable(reformed);
    }

    public long generation() {
        return local.generation();
    }

    private void connectionChanged(ConnectionState state) {
        switch (state) {
            case SUSPENDED -> {
                connected = false;
                if (leading) {
                    log.warn("Manager {} lost its ZooKeeper connection: it stops acting until the session is back.", ownId);
                }
            }
            case RECONNECTED -> connected = true;
            case LOST -> {
                connected = false;
                if (leading) {
                    end("its ZooKeeper session is lost");
                }
            }
            default -> {
            }
        }
    }

    /** This manager as it registered itself. */
    public ManagerInfo self() {
        return self;
    }

    private void trimSafely() {
        try {
            trim();
        } catch (Exception e) {
            log.warn("Trimming the managers' log: {}", e.getMessage());
        }
    }

    /**
     * Deletes the entries every member of the quorum list has applied, but the newest {@link #KEEP}. A member that is
     * down (not registered) holds the log where it is: when it comes back, it applies what it missed from the log, so
     * no member ever needs a copy from another. With an external ensemble (no member list) the log is not trimmed.
     */
    private void trim() throws Exception {
        if (!mayAct() || members.isEmpty()) {
            return;
        }
        long everyone = Long.MAX_VALUE;
        for (QuorumMember m : members) {
            Optional<ManagerInfo> registered = registered(m.id());
            if (registered.isEmpty()) {
                return;
            }
            everyone = Math.min(everyone, registered.get().applied());
        }
        long upTo = Math.min(everyone, next - 1 - KEEP);
        byte[] data = zk.getData().forPath(LOG_START);
        long start = data.length == 0 ? 1 : Long.parseLong(new String(data, StandardCharsets.UTF_8));
        if (upTo < start) {
            return;
        }
        // the new start is recorded first, as the leader of this epoch; then the entries below it go
        zk.transaction().forOperations(
                zk.transactionOp().check().withVersion(epochVersion).forPath(EPOCH),
                zk.transactionOp().setData().forPath(LOG_START, Long.toString(upTo + 1).getBytes(StandardCharsets.UTF_8)));
        for (long p = start; p <= upTo; p++) {
            try {
                zk.delete().forPath(LogFollower.path(p));
            } catch (KeeperException.NoNodeException gone) {
                // deleted by an earlier leader's trim that stopped half-way
            }
        }
        log.info("Trimmed the managers' log: entries {} to {} were applied by every member.", start, upTo);
    }

    /** True while this manager leads with its session connected: only then may it send a command or change a node. */
    public boolean mayAct() {
        return leading && connected;
    }

    public boolean leading() {
        return leading;
    }

    @Override
    public long epoch() {
        return epoch;
    }

    @Override
    public synchronized long append(LogEntry entry) {
        if (!mayAct()) {
            throw new NotLeading("This manager does not lead now; it changes nothing.");
        }
        String path = LogFollower.path(next);
        try {
            zk.transaction().forOperations(
                    zk.transactionOp().check().withVersion(epochVersion).forPath(EPOCH),
                    zk.transactionOp().create().forPath(path, entry.toBytes()));
        } catch (Exception e) {
            // deposed (the epoch moved on or the position is taken) or unsure whether it was written: either way
            // this manager must not go on leading from a copy that may differ from the log
            end("appending entry " + next + " failed: " + e);
            throw new NotLeading("This manager no longer leads.");
        }
        return next++;
    }

    @Override
    public void behind(String why) {
        end(why);
    }

    /** Stops this manager at once: whatever it had in flight goes no further; its supervisor restarts it as a follower. */
    private void end(String why) {
        leading = false;
        log.error("Manager {} stops: {}.", ownId, why);
        System.err.println("Manager " + ownId + " stops: " + why + ".");
        Runtime.getRuntime().halt(EXIT_DEPOSED);
    }

    /** The addresses of the quorum's members as listed (embedded peers); empty with an external ensemble. */
    public List<String> memberHosts() {
        return members.stream().map(QuorumMember::host).distinct().toList();
    }

    /** The URL of the leader, if one is registered. */
    public Optional<String> leaderUrl() {
        return managers().stream().filter(m -> m.role().equals("leader")).map(ManagerInfo::url).findFirst();
    }

    /** Every manager of the quorum list, with its role and its ZooKeeper peer's state. */
    public List<ManagerInfo> managers() {
        String leaderId;
        try {
            leaderId = latch.getLeader().getId();
        } catch (Exception e) {
            leaderId = "";
        }
        List<ManagerInfo> all = new ArrayList<>();
        List<Integer> ids = new ArrayList<>(members.stream().map(QuorumMember::id).toList());
        try {
            for (String child : zk.getChildren().forPath(MANAGERS)) {
                if (!ids.contains(Integer.parseInt(child))) {
                    ids.add(Integer.parseInt(child));
                }
            }
        } catch (Exception e) {
            // ZooKeeper is out of reach: the list shows what this manager knows of itself
        }
        for (int id : ids.stream().sorted().toList()) {
            ManagerInfo info = registered(id).orElse(null);
            if (info == null) {
                all.add(new ManagerInfo(id, "", "", 0, "down", "down", 0));
            } else {
                all.add(new ManagerInfo(id, info.url(), info.idc(), info.pid(),
                        Integer.toString(id).equals(leaderId) ? "leader" : "follower",
                        info.zookeeper().isEmpty() ? "unknown" : info.zookeeper(), info.applied()));
            }
        }
        return all;
    }

    private Optional<ManagerInfo> registered(int id) {
        try {
            ManagerInfo info = Json.MAPPER.readValue(zk.getData().forPath(MANAGERS + "/" + id), ManagerInfo.class);
            if (id == ownId) {
                info = new ManagerInfo(info.id(), info.url(), info.idc(), info.pid(), info.role(), peerState.get(),
                        store.appliedPosition());
            }
            return Optional.of(info);
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        progress.shutdownNow();
        follower.stop();
        if (registration != null) {
            try {
                registration.close();
            } catch (IOException ignored) {
                // the session's end removes it anyway
            }
        }
        try {
            if (latch.getState() == LeaderLatch.State.STARTED) { // a start that failed before the election must say why, not this
                latch.close();
            }
        } catch (IOException ignored) {
            // closing the client below drops the latch's node anyway
        }
        leadership.shutdownNow();
        zk.close();
    }
}
