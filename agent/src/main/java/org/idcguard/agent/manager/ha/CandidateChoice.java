package org.idcguard.agent.manager.ha;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Which standby of a group to promote when its primary is lost, or why none may be.
 *
 * <p>A commit was acknowledged once any one member of the recorded sync set had it. So every member must answer
 * (one that does not may be the only holder of a commit), and the new primary must reach the highest position any
 * answering standby has: then it holds every acknowledged commit, and every other standby can follow it without a
 * rewind. The preferred IDC's most advanced standby is chosen; when another standby is ahead of it, it is first
 * fast-forwarded from that one.
 */
public final class CandidateChoice {
    private CandidateChoice() {
    }

    /** A candidate, the standby to fast-forward it from when it is behind (else empty), and the position to reach. */
    public record Choice(NodeState candidate, Optional<NodeState> fastForwardFrom, long targetLsn) {
    }

    public static Choice choose(List<NodeState> members, String lostPrimary, List<String> syncSet, String preferIdc) {
        List<NodeState> standbys = members.stream()
                .filter(m -> !m.name().equals(lostPrimary) && m.answering() && !m.node().needsRejoin())
                .filter(m -> m.observation().orElseThrow().inRecovery())
                .toList();
        if (syncSet.isEmpty()) {
            throw new NoSafeCandidate("no standby is recorded as holding every acknowledged commit (the sync set is empty)");
        }
        for (String member : syncSet) {
            if (standbys.stream().noneMatch(s -> s.name().equals(member))) {
                throw new NoSafeCandidate("sync standby " + member + " does not answer, and it may hold acknowledged commits the others lack");
            }
        }
        Comparator<NodeState> mostAdvanced = Comparator.comparingLong(NodeState::lsn).reversed()
                .thenComparing(s -> !syncSet.contains(s.name()))
                .thenComparing(NodeState::name);
        NodeState holder = standbys.stream().min(mostAdvanced).orElseThrow();
        NodeState candidate = standbys.stream()
                .min(Comparator.comparing((NodeState s) -> !s.idc().equals(preferIdc)).thenComparing(mostAdvanced))
                .orElseThrow();
        return new Choice(candidate, candidate.lsn() < holder.lsn() ? Optional.of(holder) : Optional.empty(), holder.lsn());
    }

    /** No standby may be promoted without risking an acknowledged commit; the message says why. */
    public static final class NoSafeCandidate extends RuntimeException {
        public NoSafeCandidate(String reason) {
            super(reason);
        }
    }
}
