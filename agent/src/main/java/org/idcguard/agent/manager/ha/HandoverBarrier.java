package org.idcguard.agent.manager.ha;

import java.util.concurrent.Phaser;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Lines up the write pauses of a switch's groups. A transaction of the application touches the coordinator and
 * a shard, so it waits whenever any group is paused: pauses taken one after another add up, pauses taken together
 * cost the longest one. Each group gets ready (connections open, checkpoint done), then all stop their old
 * primaries at once. A group that fails before it is ready withdraws; a late one is not waited for forever.
 */
final class HandoverBarrier {
    private static final long WAIT_MILLIS = 5000;
    private final Phaser phaser;

    HandoverBarrier(int groups) {
        this.phaser = new Phaser(groups);
    }

    /** One group's place at the barrier: it either gets ready or leaves, once. */
    Party party() {
        return new Party();
    }

    final class Party {
        private boolean done;

        /** This group is ready to pause writes; returns when every group is, or after a few seconds. */
        void ready() {
            if (!done) {
                done = true;
                await();
            }
        }

        /** This group will not stop its primary (it failed or rolled back): the others do not wait for it. */
        void leave() {
            if (!done) {
                done = true;
                phaser.arriveAndDeregister();
            }
        }
    }

    private void await() {
        int phase = phaser.arriveAndDeregister();
        try {
            phaser.awaitAdvanceInterruptibly(phase, WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException late) {
            // a group still preparing: go on rather than hold writes of this one back
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
