package org.idcguard.agent.manager.ha;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.idcguard.agent.manager.ha.HaAction.Kind;

/**
 * The HA decision for one group as a pure function: {@link GroupFacts} in, actions with their sentences out. No I/O,
 * no clock but the one in the facts, so every row is unit-tested without PostgreSQL.
 *
 * <p>The group table is read top to bottom; the first row whose condition holds decides, except rows marked
 * {@code CONTINUE}, which add their actions and let the reading go on (fencing a rogue node never waits for anything
 * else). While the primary is healthy, each standby is then judged by the standby table, first matching row only.
 */
public final class HaDecision {
    static final long ASTRAY_MILLIS = 10_000;
    /**
     * How long a primary's lease file may go unwritten before the primary counts as one that can acknowledge nothing:
     * at least two failure windows (a lease holds one window from when it is written; the second is the margin), and no
     * less than a node agent takes to restart (an upgrade), so that a restart costs a few seconds of refused commits,
     * not a takeover.
     */
    static final long LEASE_UNRENEWED_MILLIS = 10_000;

    private HaDecision() {
    }

    enum Flow { STOP, CONTINUE }

    /** One row of a table: when, then, as words (for the docs and test names) and as code. */
    record Row<F>(String when, String then, Flow flow, Predicate<F> applies, Function<F, List<HaAction>> act) {
    }

    static final List<Row<GroupFacts>> GROUP_TABLE = List.of(
            new Row<>("a failover or switch of the group was begun and not ended", "resolve it by its recorded step; nothing else",
                    Flow.STOP, f -> f.openIntent().isPresent(),
                    f -> List.of(HaAction.of(Kind.RESOLVE_INTENT, f.openIntent().get().candidate(), "Intent " + f.openIntent().get().id()
                            + " (" + f.openIntent().get().kind() + " at step " + f.openIntent().get().step() + ") is resolved first."))),
            new Row<>("no node is recorded as primary", "nothing: the record must be repaired first",
                    Flow.STOP, f -> f.primary().isEmpty(),
                    f -> List.of(HaAction.waiting(f.subject() + " has no recorded primary."))),
            new Row<>("a node that is not the recorded primary takes writes", "fence it at once (and go on deciding)",
                    Flow.CONTINUE, f -> !rogues(f).isEmpty(),
                    f -> rogues(f).stream().map(m -> HaAction.of(Kind.FENCE, m.name(), m.name() + " takes writes but "
                            + f.primary().get().name() + " is the recorded primary of " + f.group().name() + ".")).toList()),
            new Row<>("the recorded primary answers in recovery, following nobody or a node of its group, for over 10 s",
                    "stop it: it is a takeover's candidate recorded while silent and never promoted (stopped, it cannot finish a "
                    + "promotion it may have been sent); once it is down the usual rules fail the group over",
                    Flow.STOP, f -> primaryInRecovery(f) && f.lasted("unpromoted:" + f.primary().get().name()) > ASTRAY_MILLIS,
                    f -> List.of(HaAction.of(Kind.STOP_PRIMARY, f.primary().get().name(), "Recorded primary " + f.primary().get().name()
                            + " answers in recovery and follows nobody outside its group: a takeover's candidate recorded while it "
                            + "did not answer and never promoted. It is stopped; once it is down the group fails over from the "
                            + "standbys its commits waited for."))),
            new Row<>("the recorded primary answers in recovery for over 10 s", "say so once; leave the group to a DBA",
                    Flow.STOP, f -> primaryInRecovery(f) && f.lasted("recovering:" + f.primary().get().name()) > ASTRAY_MILLIS,
                    f -> List.of(HaAction.notice("node.unexpected", f.primary().get().name(), "Recorded primary "
                            + f.primary().get().name() + " is in recovery; the manager leaves the group alone until a DBA looks."))),
            new Row<>("the recorded primary answers in recovery", "wait (a probe may have seen it a moment before promotion ended)",
                    Flow.STOP, HaDecision::primaryInRecovery,
                    f -> List.of(HaAction.waiting("Recorded primary " + f.primary().get().name() + " is in recovery."))),
            new Row<>("the recorded primary answers but its lease file has not been rewritten for 10 s (two failure windows at least)",
                    "fail over: it can acknowledge nothing, and no node agent will let it (its standbys are detached first)",
                    Flow.STOP, HaDecision::leaseLapsed, f -> failOver(f, f.primary().get().idc(), "Primary " + f.primary().get().name()
                            + " answers, but its lease file has not been rewritten for " + f.lasted("lease-unrenewed:" + f.primary().get().name())
                            + " ms: the lease check refuses its commits and nothing renews it (its node agent is gone or "
                            + "cannot write), so the group has no primary that can acknowledge.")),
            new Row<>("the recorded primary answers", "keep the sync set right and judge each standby by the standby table",
                    Flow.STOP, f -> f.primary().get().answering(), HaDecision::tend),
            new Row<>("the primary missed fewer probes than make it down", "wait: one slow probe never fails a node over",
                    Flow.STOP, f -> !f.primary().get().down(),
                    f -> List.of(HaAction.waiting("Primary " + f.primary().get().name() + " missed " + f.primary().get().failures()
                            + " probe(s); it is down after " + f.settings().failedProbes() + "."))),
            new Row<>("the primary is down and no standby answers", "start the primary if it is merely stopped; say so",
                    Flow.STOP, f -> answeringStandbys(f).isEmpty(), HaDecision::nobodyAnswers),
            new Row<>("the primary is down but a standby still receives its WAL", "no failover: the manager may be cut off, not the primary",
                    Flow.STOP, f -> !hearing(f).isEmpty(),
                    f -> List.of(HaAction.notice("failover.withheld", f.primary().get().name(), "Primary " + f.primary().get().name()
                            + " does not answer the manager, but " + String.join(", ", hearing(f)) + " still receive its WAL: no "
                            + "failover (the manager may be cut off, not the primary)."))),
            new Row<>("the primary is down and every answering standby confirms its stream stopped",
                    "fail over; start any stopped standby that may hold acknowledged commits (the failover waits for it)",
                    Flow.STOP, f -> true, HaDecision::failOver));

    static final List<Row<StandbyFacts>> STANDBY_TABLE = List.of(
            new Row<>("marked for rejoin", "rewind it from the primary and start it as a standby",
                    Flow.STOP, s -> s.standby().node().needsRejoin(),
                    s -> List.of(HaAction.of(Kind.REJOIN, s.standby().name(), s.standby().name() + " is marked for rejoin."))),
            new Row<>("down", "start it as a standby of the primary if it is stopped",
                    Flow.STOP, s -> s.standby().down(),
                    s -> List.of(HaAction.of(Kind.START_STANDBY, s.standby().name(), s.standby().name() + " does not answer."))),
            new Row<>("detached by a takeover that did not finish", "point it at the primary",
                    Flow.STOP, s -> s.standby().answering() && s.standby().observation().get().detached(),
                    s -> List.of(HaAction.of(Kind.REATTACH, s.standby().name(), s.standby().name() + " follows nobody.")))
            ,
            new Row<>("answers in recovery but has not streamed from the primary for 10 s", "mark it to be rewound",
                    Flow.STOP, s -> s.standby().answering() && s.standby().observation().get().inRecovery() && !s.streaming()
                    && s.facts().lasted("astray:" + s.standby().name()) > ASTRAY_MILLIS,
                    s -> List.of(HaAction.of(Kind.MARK_ASTRAY, s.standby().name(), s.standby().name() + " has not streamed from "
                            + s.facts().primary().get().name() + " for " + ASTRAY_MILLIS / 1000 + " s."))));

    /** A standby judged while its primary is healthy. */
    record StandbyFacts(GroupFacts facts, NodeState standby, boolean streaming) {
    }

    public static List<HaAction> decide(GroupFacts f) {
        List<HaAction> actions = new ArrayList<>();
        for (Row<GroupFacts> row : GROUP_TABLE) {
            if (row.applies().test(f)) {
                actions.addAll(row.act().apply(f));
                if (row.flow() == Flow.STOP) {
                    break;
                }
            }
        }
        return actions;
    }

    private static List<HaAction> tend(GroupFacts f) {
        NodeState primary = f.primary().get();
        List<HaAction> actions = new ArrayList<>();
        if (syncSetNeedsWork(f)) {
            actions.add(HaAction.of(Kind.MAINTAIN_SYNC, primary.name(), "The sync set of " + f.group().name()
                    + " does not match its standbys' health."));
        }
        if (SyncSetRule.STRICT.equals(f.cluster().syncPolicy()) && f.members().stream()
                .noneMatch(m -> f.cluster().mayWaitFor(primary.idc(), m.idc()) && !m.down() && streaming(primary, m))) {
            actions.add(HaAction.notice("alert.commits-waiting", primary.name(), "Under the strict policy, commits of "
                    + f.group().name() + " wait: no standby outside " + primary.idc() + " streams from " + primary.name() + "."));
        }
        if (f.lasted("unleased:" + primary.name()) > 2L * f.settings().failureWindowMillis()) {
            NodeObservation seen = primary.observation().get();
            actions.add(HaAction.notice("alert.lease-unenforced", primary.name(), "Primary " + primary.name() + " acknowledges commits "
                    + "without the lease check (" + (!seen.leaseCheckLoaded() ? "the idcguard_lease library is not loaded: run ./idcguard "
                    + "once as root on " + primary.node().address() + " to install it, then restart it" : "it has no lease file: its node "
                    + "agent writes none") + "). Should its city ever be cut off, nothing bounds how long it goes on acknowledging, so a "
                    + "DR promotion meanwhile loses an unknown amount."));
        }
        List<NodeState> rogues = rogues(f);
        for (NodeState m : f.members()) {
            if (m == primary || rogues.contains(m)) {
                continue;
            }
            StandbyFacts s = new StandbyFacts(f, m, streaming(primary, m));
            STANDBY_TABLE.stream().filter(r -> r.applies().test(s)).findFirst().ifPresent(r -> actions.addAll(r.act().apply(s)));
        }
        if (actions.isEmpty()) {
            actions.add(HaAction.waiting(f.subject() + " is healthy."));
        }
        return actions;
    }

    /** Whether what the primary waits for, or who is recorded as eligible, differs from what the standbys' health calls for. */
    static boolean syncSetNeedsWork(GroupFacts f) {
        NodeState primary = f.primary().get();
        SyncSetRule.Desired desired = SyncSetRule.desired(f.cluster(), primary, f.members(), f.stalled());
        List<String> configured = SyncSetRule.parse(primary.observation().get().syncNames());
        List<String> recorded = f.group().syncStandbys();
        // the record of who may hold an acknowledged commit still names standbys no longer waited for: the keeper
        // forgets them once one waited for has flushed past them (else a failover would wait for them for ever)
        boolean leftStillNamed = !new java.util.TreeSet<>(f.group().configuredStandbys()).equals(new java.util.TreeSet<>(desired.standbys()));
        return !desired.standbys().equals(configured) || !desired.standbys().containsAll(recorded)
                || !recorded.containsAll(desired.standbys()) || leftStillNamed;
    }

    private static List<HaAction> nobodyAnswers(GroupFacts f) {
        NodeState primary = f.primary().get();
        List<HaAction> actions = new ArrayList<>();
        if (f.members().stream().noneMatch(NodeState::answering)) {
            actions.add(HaAction.of(Kind.START_PRIMARY, primary.name(), "No node of " + f.group().name() + " answers."));
        }
        actions.add(HaAction.notice("failover.impossible", primary.name(), "Primary " + primary.name() + " and every standby of "
                + f.group().name() + " are down: waiting for one to return."));
        return actions;
    }

    private static List<HaAction> failOver(GroupFacts f) {
        NodeState primary = f.primary().get();
        boolean idcDown = f.downIdcs().contains(primary.idc());
        String prefer = idcDown ? otherIdc(f, primary.idc()) : primary.idc();
        String why = (idcDown ? "IDC " + primary.idc() + " is down: no node of " + f.cluster().name() + " there answers and "
                : "Primary " + primary.name() + " failed " + f.settings().failedProbes() + " probes in a row and ")
                + answeringStandbys(f).stream().map(NodeState::name).collect(Collectors.joining(", "))
                + " confirm their WAL stream from " + primary.name() + " stopped.";
        return failOver(f, prefer, why);
    }

    private static List<HaAction> failOver(GroupFacts f, String prefer, String why) {
        NodeState primary = f.primary().get();
        List<HaAction> actions = new ArrayList<>();
        actions.add(new HaAction(Kind.FAIL_OVER, primary.name(), prefer, why));
        // a standby that may hold the only copy of an acknowledged commit must answer before anyone is promoted
        f.members().stream().filter(m -> m != primary && m.down() && !m.node().needsRejoin()
                        && f.group().mayHoldAcknowledged().contains(m.name()))
                .forEach(m -> actions.add(HaAction.of(Kind.START_STANDBY, m.name(), m.name() + " does not answer, and "
                        + primary.name() + "'s failover waits for it.")));
        return actions;
    }

    static List<NodeState> rogues(GroupFacts f) {
        return f.members().stream().filter(m -> !m.node().isPrimary() && m.answering() && m.observation().get().writable()).toList();
    }

    /**
     * The primary answers, but its lease file has not been rewritten for {@link #LEASE_UNRENEWED_MILLIS} (counted by
     * the observer on this manager's clock, only where the lease check is loaded): every lease from the manager and
     * every extension of the node agent's failsafe holds at most one failure window from when it is written, so it has
     * run out, and the lease check refuses every commit. Its node agent renews neither (it is dead, frozen, or cannot
     * write), so nothing will let it acknowledge again: the group must get another primary, as when the primary itself
     * is lost. The rest of the bound is the margin for a renewal in flight, a probe read late and a node agent
     * restarting.
     */
    static boolean leaseLapsed(GroupFacts f) {
        NodeState p = f.primary().get();
        return p.answering() && !p.observation().get().inRecovery()
                && f.lasted("lease-unrenewed:" + p.name()) > Math.max(LEASE_UNRENEWED_MILLIS, 2L * f.settings().failureWindowMillis());
    }

    private static boolean primaryInRecovery(GroupFacts f) {
        NodeState p = f.primary().get();
        return p.answering() && p.observation().get().inRecovery();
    }

    static List<NodeState> answeringStandbys(GroupFacts f) {
        NodeState primary = f.primary().get();
        return f.members().stream().filter(m -> m != primary && m.answering() && !m.node().needsRejoin()
                && m.observation().get().inRecovery()).toList();
    }

    /**
     * Standbys that a commit of the primary may wait for and that still receive its WAL: only those show the primary
     * may still acknowledge. A same-IDC asynchronous or DR-city standby hearing it proves nothing about commits, which
     * wait for the other IDC: counting it would withhold the takeover for as long as IDC1 stays cut off from IDC2 and
     * the manager but not from the DR city, while every commit waits.
     */
    private static List<String> hearing(GroupFacts f) {
        NodeState primary = f.primary().get();
        java.util.Set<String> waitedFor = f.group().mayHoldAcknowledged();
        return answeringStandbys(f).stream().filter(m -> waitedFor.contains(m.name())).filter(m -> m.observation().get().receiver()
                .map(r -> r.hears(primary.node().address(), primary.node().port(), f.settings().streamSilenceMillis())).orElse(false))
                .map(NodeState::name).toList();
    }

    static boolean streaming(NodeState primary, NodeState standby) {
        return primary.observation().flatMap(o -> o.replica(standby.name()))
                .map(r -> "streaming".equals(r.state()) || "catchup".equals(r.state())).orElse(false);
    }

    private static String otherIdc(GroupFacts f, String idc) {
        return idc.equals(f.cluster().primaryIdc()) ? f.cluster().backupIdc() : f.cluster().primaryIdc();
    }
}
