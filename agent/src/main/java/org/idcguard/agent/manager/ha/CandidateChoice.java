package org.idcguard.agent.manager.ha;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.idcguard.agent.manager.cluster.ClusterRecord;

/**
 * Which standby of a group to promote when its primary is lost, or why none may be.
 *
 * <p>A commit was acknowledged once any one standby the primary waited for had it: a member of the recorded sync set,
 * or of the configured one (a standby is configured a moment before it is recorded). So every such standby must
 * answer and be detached from the old primary (one that is not may hold, or go on gathering, commits the others
 * lack), and the new primary must reach the highest position, timeline first, that any detached standby holds: then
 * it has every acknowledged commit, and every other standby can follow it without a rewind. The preferred IDC's most
 * advanced standby is chosen; when another standby is ahead of it, it is first fast-forwarded from that one.
 */
public final class CandidateChoice {
    private CandidateChoice() {
    }

    /**
     * A candidate, the standby to fast-forward it from when it is behind (else empty), the position to reach, and
     * what to promote if that fast-forward does not finish in time.
     *
     * @param target          the highest position any detached standby holds: reached, every standby follows without a rewind
     * @param mustHold        the highest position a standby the primary waited for holds: every acknowledged commit is
     *                        at or before it (an asynchronous standby ahead of it, a DR one, holds only unacknowledged WAL)
     * @param fallback        the standby that may lead and holds {@code mustHold} (the preferred IDC's first, then the most
     *                        advanced), promoted when the candidate cannot reach the target from a source that may not lead
     */
    public record Choice(NodeState candidate, Optional<NodeState> fastForwardFrom, WalPosition target, WalPosition mustHold,
                         Optional<NodeState> fallback) {
    }

    /**
     * Before anything is touched: refuses when nobody is recorded as holding every commit, or when a standby that may
     * hold acknowledged commits does not answer.
     */
    public static void precheck(List<NodeState> members, String lostPrimary, List<String> recorded, Collection<String> mayHold) {
        if (recorded.isEmpty()) {
            throw new NoSafeCandidate("no standby is recorded as holding every acknowledged commit (the sync set is empty)");
        }
        for (String member : mayHold) {
            boolean answers = members.stream().anyMatch(m -> m.name().equals(member) && !m.name().equals(lostPrimary)
                    && m.answering() && !m.node().needsRejoin() && m.observation().orElseThrow().inRecovery());
            if (!answers) {
                throw new NoSafeCandidate("standby " + member + " does not answer, and it may hold acknowledged commits the others lack");
            }
        }
    }

    /**
     * After the standbys were detached: chooses among them by their fixed positions.
     *
     * @param fixed the detached standbys and where their WAL ends
     */
    public static Choice choose(List<NodeState> members, Map<String, WalPosition> fixed, List<String> recorded,
                                Collection<String> mayHold, String preferIdc) {
        return choose(members, fixed, recorded, mayHold, preferIdc, s -> true);
    }

    /** Who the manager may promote in this cluster: a DR-city standby only once the cluster runs in the DR city. */
    static java.util.function.Predicate<NodeState> mayLead(ClusterRecord cluster) {
        return s -> !cluster.isDr(s.idc()) || cluster.runsInDrCity();
    }

    /**
     * As above, the candidate taken only among those that may lead: a DR-city standby is never promoted by the
     * manager on its own (the DBA promotes the backup city), though the candidate may be fast-forwarded from it.
     */
    public static Choice choose(List<NodeState> members, Map<String, WalPosition> fixed, List<String> recorded,
                                Collection<String> mayHold, String preferIdc, java.util.function.Predicate<NodeState> mayLead) {
        if (recorded.isEmpty()) {
            throw new NoSafeCandidate("no standby is recorded as holding every acknowledged commit (the sync set is empty)");
        }
        for (String member : mayHold) {
            if (!fixed.containsKey(member)) {
                throw new NoSafeCandidate("standby " + member + " could not be detached from the old primary, and it may hold "
                        + "acknowledged commits the others lack");
            }
        }
        List<NodeState> standbys = members.stream().filter(m -> fixed.containsKey(m.name())).toList();
        if (standbys.isEmpty()) {
            throw new NoSafeCandidate("no standby could be detached from the old primary");
        }
        // among equals, one that may lead holds the target: no fast-forward from a DR standby that would be waited for
        Comparator<NodeState> mostAdvanced = Comparator.comparing((NodeState s) -> fixed.get(s.name())).reversed()
                .thenComparing(s -> !recorded.contains(s.name()))
                .thenComparing(s -> !mayLead.test(s))
                .thenComparing(NodeState::name);
        NodeState holder = standbys.stream().min(mostAdvanced).orElseThrow();
        NodeState candidate = standbys.stream().filter(mayLead)
                .min(Comparator.comparing((NodeState s) -> !s.idc().equals(preferIdc)).thenComparing(mostAdvanced))
                .orElseThrow(() -> new NoSafeCandidate("no detached standby outside the DR city may be promoted"));
        WalPosition target = fixed.get(holder.name());
        boolean behind = !fixed.get(candidate.name()).atLeast(target);
        WalPosition mustHold = mayHold.stream().map(fixed::get).max(Comparator.naturalOrder()).orElse(target);
        Optional<NodeState> fallback = standbys.stream().filter(mayLead).filter(s -> fixed.get(s.name()).atLeast(mustHold))
                .min(Comparator.comparing((NodeState s) -> !s.idc().equals(preferIdc)).thenComparing(mostAdvanced));
        return new Choice(candidate, behind ? Optional.of(holder) : Optional.empty(), target, mustHold, fallback);
    }

    /**
     * What a failover does when its candidate did not reach the target while streaming from the source: promote the
     * source instead if it may lead (it holds the most). A DR-city source may not (the manager never promotes the DR
     * city on its own: the primary would move to another city while the record still names the main city's primary
     * IDC); then the fallback is promoted, a standby that may lead and holds every acknowledged commit (the source's
     * lead is WAL nobody acknowledged, and the source is rewound). Without one, refuse: the failover rolls back before
     * any promotion and the group is judged afresh next tick. Found by the simulation: with only the DR standby ahead
     * and the backup IDC cut off from the DR city, the failover waited for a fast-forward that could never finish, and
     * refused, tick after tick, leaving the group without a primary until the DR link came back.
     */
    public static NodeState afterFastForwardTimedOut(Choice choice, java.util.function.Predicate<NodeState> mayLead) {
        NodeState source = choice.fastForwardFrom().orElseThrow();
        if (mayLead.test(source)) {
            return source;
        }
        return choice.fallback().orElseThrow(() -> new NoSafeCandidate(choice.candidate().name() + " did not reach "
                + choice.target() + " from " + source.name() + " in time, " + source.name() + " in " + source.idc()
                + " (DR city) is never promoted by the manager, and no standby that may lead holds every acknowledged commit ("
                + choice.mustHold() + ")"));
    }

    /** No standby may be promoted without risking an acknowledged commit; the message says why. */
    public static final class NoSafeCandidate extends RuntimeException {
        public NoSafeCandidate(String reason) {
            super(reason);
        }
    }
}
