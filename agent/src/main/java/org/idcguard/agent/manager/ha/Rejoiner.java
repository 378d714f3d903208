package org.idcguard.agent.manager.ha;

import java.sql.SQLException;
import org.idcguard.agent.manager.EventLog;
import org.idcguard.agent.manager.Transactions;
import org.idcguard.agent.manager.cluster.ClusterRecord;
import org.idcguard.agent.manager.cluster.ClusterRepository;
import org.idcguard.agent.manager.cluster.NodeRecord;

/**
 * Brings nodes back under the group's primary (DESIGN "Fencing and rejoin"): a node that wrongly believes it is
 * primary is fenced at once; a node marked for rejoin is rewound from the primary by its node agent and started as
 * a standby; a standby that is simply stopped is started pointed at the primary.
 */
final class Rejoiner {
    /**
     * pg_rewind sets the rewound node's minimum recovery point to the source's WAL insert position, which can lie just
     * past a page header, beyond the last record written. On a quiet primary nothing more is written and the standby
     * waits, not accepting connections, until something is (seen: 137 s at 16 shards). While a rewound node starts,
     * the primary is nudged every 2 s with a record of its own.
     */
    static final java.util.concurrent.ScheduledExecutorService NUDGES =
            java.util.concurrent.Executors.newScheduledThreadPool(2, HaLoop.daemon("rejoin-nudge"));
    private static final long NUDGE_AFTER_MILLIS = 2000;
    private final Transactions store;
    private final EventLog events;
    private final Nodes pg;
    private final HaClock clock;
    private final Agents agents;
    /** Where the nudges run; null where WAL moves by itself (the simulation's primaries always write). */
    private final java.util.concurrent.ScheduledExecutorService nudges;
    private final ClusterRepository clusters = new ClusterRepository();

    Rejoiner(EnginePorts ports, Agents agents, java.util.concurrent.ScheduledExecutorService nudges) {
        this.store = ports.store();
        this.events = ports.events();
        this.pg = ports.nodes();
        this.clock = ports.clock();
        this.agents = agents;
        this.nudges = nudges;
    }

    /**
     * Fences a node that takes writes but is not the recorded primary: its node agent stops it (a fast shutdown ends
     * every session, and a stopped server acknowledges nothing); when the agent cannot be reached, the manager stops
     * it itself through a superuser session (see {@link NodeSql#fenceBySql}). Either way it is marked to be rewound
     * before it streams again. A node that answers neither fails this call: the HA loop reports it and tries again.
     */
    void fence(ClusterRecord cluster, NodeRecord node, NodeRecord primary) throws SQLException {
        String done = stop(cluster, node);
        store.inTransaction(c -> {
            clusters.setRole(c, node.name(), "standby", true);
            events.record(c, "node.fenced", cluster.name() + "/" + node.group(), node.name() + " took writes while "
                    + primary.name() + " is the recorded primary: " + done + "; it will be rewound and rejoin as a standby.");
            return null;
        });
    }

    /**
     * Stops a recorded primary that is in recovery and follows nobody (a takeover's candidate recorded while silent and
     * never promoted), through its node agent, else through its postmaster as a fence does. Its record is kept: once it
     * is down the usual rules fail the group over, and a promotion it may have been sent can no longer finish beside the
     * new primary (a start removes the promote signal file).
     */
    void stopUnpromoted(ClusterRecord cluster, NodeRecord node) throws SQLException {
        String how = stop(cluster, node);
        events.record("node.stopped", cluster.name() + "/" + node.group(), node.name() + " is the recorded primary but answers in "
                + "recovery and follows nobody (a takeover's candidate never promoted): " + how + "; the group fails over once it is down.");
    }

    /**
     * Stops the node through its node agent, else through its postmaster from the manager's superuser session; returns
     * how, for the event. The stop may rightly take minutes (its checkpoint), so its own timeout is long; a frozen node
     * agent would hold the fence that long. A listing, which answers within the short timeout, shows it is there first.
     */
    private String stop(ClusterRecord cluster, NodeRecord node) throws SQLException {
        try {
            agents.instance(node);
            agents.stop(node, "fast");
            return "its node agent stopped it";
        } catch (RuntimeException agentUnreachable) {
            return "its node agent did not answer (" + agentUnreachable.getMessage() + "), so it was " + pg.fenceBySql(cluster, node);
        }
    }

    /**
     * Makes the node a standby of the primary if its node agent answers; returns false when the agent does not (the
     * computer is still down) or the instance is already running and needs no rewind.
     */
    boolean rejoin(ClusterRecord cluster, NodeRecord node, NodeRecord primary, boolean rewind) throws SQLException {
        Agents.Instance instance;
        try {
            instance = agents.instance(node);
        } catch (RuntimeException unreachable) {
            return false;
        }
        if (instance == Agents.Instance.MISSING || (!rewind && instance == Agents.Instance.RUNNING)) {
            return false;
        }
        long started = clock.millis();
        if (rewind) {
            pg.checkpoint(cluster, primary);
        }
        java.util.concurrent.ScheduledFuture<?> nudging = !rewind || nudges == null ? null : nudges.scheduleWithFixedDelay(() -> {
            try {
                pg.nudgeWal(cluster, primary);
            } catch (SQLException e) {
                // the next nudge, or the primary's own writes, will do
            }
        }, NUDGE_AFTER_MILLIS, NUDGE_AFTER_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
        String copied;
        try {
            copied = agents.follow(node, primary, rewind, cluster.clientNetworks());
        } finally {
            if (nudging != null) {
                nudging.cancel(false);
            }
        }
        long took = clock.millis() - started;
        String copiedBy = copied == null ? "pg_rewind" : copied;
        store.inTransaction(c -> {
            clusters.setRole(c, node.name(), "standby", false);
            events.record(c, rewind ? "node.rejoined" : "node.started", cluster.name() + "/" + node.group(), rewind
                    ? node.name() + " was brought level with " + primary.name() + " by " + copiedBy + " and restarted as its standby ("
                            + took + " ms)."
                    : node.name() + " was stopped; started again as a standby of " + primary.name() + " (" + took + " ms).");
            return null;
        });
        return true;
    }

    /** Starts a recorded primary that is stopped while no standby of its group runs (a cold start of the cluster). */
    boolean startPrimary(ClusterRecord cluster, NodeRecord primary) {
        return startPrimary(cluster, primary, "no standby of its group runs");
    }

    /** The same, the event saying why the primary is started rather than taken over. */
    boolean startPrimary(ClusterRecord cluster, NodeRecord primary, String why) {
        Agents.Instance instance;
        try {
            instance = agents.instance(primary);
        } catch (RuntimeException unreachable) {
            return false;
        }
        if (instance != Agents.Instance.STOPPED) {
            return false;
        }
        agents.start(primary);
        store.inTransaction(c -> {
            events.record(c, "node.started", cluster.name() + "/" + primary.group(), primary.name()
                    + " was stopped and " + why + ": started again as the primary.");
            return null;
        });
        return true;
    }
}
