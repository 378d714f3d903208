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
    private volatile long latencyMicros = -1;
    private long failedTotal;

    NodeHealth(ClusterRecord cluster, NodeRecord node) {
        this.prober = new NodeProber(cluster, node);
    }

    /** Starts a probe unless the previous one is still running. */
    CompletableFuture<NodeObservation> launch(int timeoutMillis, Executor pool) {
        if (inFlight == null) {
            inFlight = CompletableFuture.supplyAsync(() -> {
                long started = System.nanoTime();
                try {
                    NodeObservation seen = prober.probe(timeoutMillis);
                    latencyMicros = (System.nanoTime() - started) / 1_000;
                    return seen;
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
            failedTotal++;
            last = Optional.empty();
            return;
        }
        inFlight = null;
        try {
            last = Optional.of(f.join());
            failures = 0;
        } catch (RuntimeException e) {
            failures++;
            failedTotal++;
            last = Optional.empty();
        }
    }

    /** The last answered probe's duration and the probes counted failed since the manager started, for the metrics. */
    ProbeStats stats() {
        return new ProbeStats(latencyMicros, failedTotal);
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
