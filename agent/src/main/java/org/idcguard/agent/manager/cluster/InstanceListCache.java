package org.idcguard.agent.manager.cluster;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.idcguard.agent.manager.NodeAgentClient;
import org.idcguard.model.InstanceStatus;

/**
 * The instance lists the node agents give for the cluster detail (pids and data directories). Callers asking at the
 * same moment share one request per agent, and nobody waits long on an agent that is frozen or gone: after
 * {@link #WAIT_MILLIS} the last list the agent gave is used, and the request finishes in the background. A console
 * or drill asking for the detail many times a second during a takeover so neither piles requests onto the node
 * agents nor waits out a frozen agent's client timeout on every call.
 */
final class InstanceListCache {
    static final long WAIT_MILLIS = 1000;

    private final NodeAgentClient agents;
    private final ExecutorService pool;
    private final Map<String, List<InstanceStatus>> last = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<List<InstanceStatus>>> inFlight = new ConcurrentHashMap<>();

    InstanceListCache(NodeAgentClient agents, ExecutorService pool) {
        this.agents = agents;
        this.pool = pool;
    }

    /** Each endpoint's instances now, or as it last gave them; an endpoint that has never answered is left out. */
    Map<String, List<InstanceStatus>> instances(Collection<String> endpoints) {
        Map<String, CompletableFuture<List<InstanceStatus>>> requests = new java.util.HashMap<>();
        endpoints.forEach(e -> requests.put(e, request(e)));
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        Map<String, List<InstanceStatus>> lists = new java.util.HashMap<>();
        requests.forEach((endpoint, request) -> {
            List<InstanceStatus> list;
            try {
                // an agent never heard from is waited for (its client timeout bounds it): there is nothing older to show
                list = last.containsKey(endpoint) ? request.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)
                        : request.get();
            } catch (TimeoutException | ExecutionException slowOrUnreachable) {
                list = last.get(endpoint);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                list = last.get(endpoint);
            }
            if (list != null) {
                lists.put(endpoint, list);
            }
        });
        return lists;
    }

    /** The request under way to this agent, or a new one: callers asking at the same moment share it. */
    private CompletableFuture<List<InstanceStatus>> request(String endpoint) {
        CompletableFuture<List<InstanceStatus>> mine = new CompletableFuture<>();
        CompletableFuture<List<InstanceStatus>> running = inFlight.putIfAbsent(endpoint, mine);
        if (running != null) {
            return running;
        }
        pool.execute(() -> {
            try {
                List<InstanceStatus> now = agents.instances(endpoint);
                last.put(endpoint, now);
                mine.complete(now);
            } catch (RuntimeException unreachable) {
                mine.completeExceptionally(unreachable);
            } finally {
                inFlight.remove(endpoint, mine);
            }
        });
        return mine;
    }
}
