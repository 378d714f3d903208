package org.idcguard.agent.manager.quorum;

import org.idcguard.agent.manager.journal.LogEntry;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.idcguard.agent.manager.MetadataStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the managers' log to this manager's copy, entry after entry, in a thread of its own while this manager
 * follows; {@link #catchUp} applies it to its end when this manager takes the lead.
 */
final class LogFollower {
    private static final Logger log = LoggerFactory.getLogger(LogFollower.class);
    private final CuratorFramework zk;
    private final MetadataStore store;
    private volatile Thread thread;
    private volatile boolean running;
    /** Counted down when the next entry appears or the follower is stopped; never an interrupt (H2 closes its file on one). */
    private volatile CountDownLatch wake = new CountDownLatch(1);

    LogFollower(CuratorFramework zk, MetadataStore store) {
        this.zk = zk;
        this.store = store;
    }

    static String path(long position) {
        return ManagerQuorum.LOG + "/" + String.format("%012d", position);
    }

    void start() {
        running = true;
        thread = new Thread(this::follow, "quorum-log-follower");
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops the thread and waits for the entry it applies to finish. */
    void stop() {
        running = false;
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            wake.countDown();
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void follow() {
        while (running) {
            try {
                if (!applyNext()) {
                    awaitNext();
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                if (!running) {
                    return;
                }
                log.warn("Following the managers' log: {}", e.getMessage());
                sleep(500);
            }
        }
    }

    /** Applies every entry there is; returns the position of the last. */
    long catchUp() throws Exception {
        while (applyNext()) {
            // the next one
        }
        return store.appliedPosition();
    }

    /** Applies the entry after this copy's position, if the log has it. */
    private boolean applyNext() throws Exception {
        long position = store.appliedPosition() + 1;
        byte[] data;
        try {
            data = zk.getData().forPath(path(position));
        } catch (KeeperException.NoNodeException none) {
            return false;
        }
        store.apply(position, LogEntry.fromBytes(data));
        return true;
    }

    /** Waits until the next entry exists (a watch on it) or a second has passed. */
    private void awaitNext() throws Exception {
        CountDownLatch created = new CountDownLatch(1);
        wake = created;
        long position = store.appliedPosition() + 1;
        if (running && zk.checkExists().usingWatcher((org.apache.zookeeper.Watcher) event -> created.countDown()).forPath(path(position)) == null) {
            created.await(1, TimeUnit.SECONDS);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
