package org.idcguard.agent.manager.ha;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.idcguard.agent.manager.cluster.ClusterRecord;
import org.idcguard.agent.manager.cluster.NodeRecord;

/**
 * The probing of one node across ticks: at most one probe in flight, and the count of failed probes in a row.
 * A probe still running when its tick ends counts as failed (a frozen node does not answer, it does not refuse);
 * no new probe starts until it ends. Used by the monitor thread only.
 */
final class NodeHealth {
    private final NodeProber prober;
    private CompletableFuture<NodeObservation> inFlight;
    private int failures;
    private Optional<NodeObservation> last = Optional.empty();

    NodeHealth(ClusterRecord cluster, NodeRecord node) {
        this.prober = new NodeProber(cluster, node);
    }

    /** Starts a probe unless the previous one is still running. */
    CompletableFuture<NodeObservation> launch(int timeoutMillis, Executor pool) {
        if (inFlight == null) {
            inFlight = CompletableFuture.supplyAsync(() -> {
                try {
                    return prober.probe(timeoutMillis);
                } catch (java.sql.SQLException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            }, pool);
        }
        return inFlight;
    }

    /** Takes the tick's outcome: the probe's answer, or a failure if it failed or is still running. */
    void harvest() {
        CompletableFuture<NodeObservation> f = inFlight;
        if (f == null) {
            return;
        }
        if (!f.isDone()) {
            // Counted as failed, but left to finish: on a loaded host a slow answer is still an answer, and closing
            // its connection would make the next probe pay for a new one. A frozen node's probe ends at the socket
            // timeout; until then every tick counts one more failure.
            failures++;
            last = Optional.empty();
            return;
        }
        inFlight = null;
        try {
            last = Optional.of(f.join());
            failures = 0;
        } catch (RuntimeException e) {
            failures++;
            last = Optional.empty();
        }
    }

    /** Whether the last probe answered, from a node in recovery. */
    boolean answeringInRecovery() {
        return failures == 0 && last.map(NodeObservation::inRecovery).orElse(false);
    }

    NodeState state(NodeRecord current, int failuresForDown) {
        return new NodeState(current, failures, failures >= failuresForDown, failures == 0 ? last : Optional.empty());
    }

    void close() {
        prober.abort();
    }
}
