package org.idcguard.agent.manager.quorum;

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
    static final String ROOT = "/idcguard";
    static final String EPOCH = ROOT + "/epoch";
    static final String LOG = ROOT + "/log";
    static final String MANAGERS = ROOT + "/managers";
    static final String LEADER = ROOT + "/leader";
    /** A session this long is noticed lost by the others and re-elected within it; see docs/decisions.md. */
    public static final int SESSION_MILLIS = 2500;
    /** The exit status of a manager that stopped because it no longer leads: its supervisor starts it again. */
    public static final int EXIT_DEPOSED = 75;
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
    private PersistentNode registration;
    private final LogFollower follower;
    private final List<QuorumMember> members;
    private volatile ManagerInfo self;
    private volatile long epoch = -1;
    private volatile boolean connected = true;
    private volatile boolean leading;
    private long next;
    private Runnable onLeading = () -> { };

    private ManagerQuorum(CuratorFramework zk, int ownId, List<QuorumMember> members, MetadataStore store) {
        this.zk = zk;
        this.ownId = ownId;
        this.members = members;
        this.store = store;
        this.latch = new LeaderLatch(zk, LEADER, Integer.toString(ownId));
        this.follower = new LogFollower(zk, store);
    }

    /** Connects to the ensemble at connect (host:port,...), waiting up to a minute for it to form. */
    public static ManagerQuorum connect(String connect, int ownId, List<QuorumMember> members, MetadataStore store) {
        CuratorFramework zk = CuratorFrameworkFactory.builder().connectString(connect)
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
        return new ManagerQuorum(zk, ownId, members, store);
    }

    /**
     * Registers this manager, starts following the log, and enters the election; onLeading runs (on the leadership
     * thread) once this manager leads with its copy caught up, before it acts.
     */
    public void start(ManagerInfo self, Runnable onLeading) throws Exception {
        this.self = self;
        this.onLeading = onLeading;
        ensure(EPOCH);
        ensure(LOG);
        ensure(MANAGERS);
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
        progress.scheduleWithFixedDelay(this::publishProgress, 1, 1, TimeUnit.SECONDS);
    }

    private void publishProgress() {
        try {
            long applied = store.appliedPosition();
            if (applied != published) {
                ManagerInfo info = new ManagerInfo(self.id(), self.url(), self.idc(), self.pid(), "", "", applied);
                registration.setData(Json.MAPPER.writeValueAsBytes(info));
                published = applied;
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

    /** Raises the epoch (so the old leader can append nothing more), applies the log to its end, then acts. */
    private void takeLead() {
        try {
            Stat stat = new Stat();
            while (true) {
                zk.getData().storingStatIn(stat).forPath(EPOCH);
                try {
                    Stat set = zk.setData().withVersion(stat.getVersion()).forPath(EPOCH,
                            Integer.toString(ownId).getBytes(StandardCharsets.UTF_8));
                    epoch = set.getVersion();
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
        } catch (Exception e) {
            end("it could not take the lead: " + e.getMessage());
        }
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
                    zk.transactionOp().check().withVersion((int) epoch).forPath(EPOCH),
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
            String peer = peerState(id);
            if (info == null) {
                all.add(new ManagerInfo(id, "", "", 0, "down", peer, 0));
            } else {
                all.add(new ManagerInfo(id, info.url(), info.idc(), info.pid(),
                        Integer.toString(id).equals(leaderId) ? "leader" : "follower", peer, info.applied()));
            }
        }
        return all;
    }

    private Optional<ManagerInfo> registered(int id) {
        try {
            ManagerInfo info = Json.MAPPER.readValue(zk.getData().forPath(MANAGERS + "/" + id), ManagerInfo.class);
            if (id == ownId) {
                info = new ManagerInfo(info.id(), info.url(), info.idc(), info.pid(), info.role(), info.zookeeper(),
                        store.appliedPosition());
            }
            return Optional.of(info);
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    private String peerState(int id) {
        Optional<QuorumMember> member = members.stream().filter(m -> m.id() == id).findFirst();
        if (member.isEmpty()) {
            return "external";
        }
        return ZooKeeperPeers.state(member.get());
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
            latch.close();
        } catch (IOException ignored) {
            // closing the client below drops the latch's node anyway
        }
        leadership.shutdownNow();
        zk.close();
    }
}
