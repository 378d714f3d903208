package org.idcguard.agent.drill;

import java.util.List;
import org.idcguard.model.ClusterDetail;
import org.idcguard.model.Event;

/** What a drill needs from the manager and the estate; the CLI and the tests each provide it their way. */
public interface ClusterAccess {
    ClusterDetail detail(String cluster);

    /** The manager's events with an id above afterId, oldest first: where a drill reads its step times. */
    List<Event> events(long afterId);

    /** The id of the manager's newest event (0 without any): a mark to read a fault's events from. */
    default long lastEventId() {
        // the manager answers a page of events at a time (the oldest first): read on to the last page
        long last = 0;
        for (List<Event> page = events(0); !page.isEmpty(); page = events(last)) {
            last = page.get(page.size() - 1).id();
        }
        return last;
    }

    /** Addresses of the computers bound to the IDC. */
    List<String> computersOf(String idc);

    /** Starts the node agent of a computer again after a power-off. */
    void restartNodeAgent(String address);

    /**
     * Asks the node agents of the IDC to apply a drill fault to their own computers (how drills reach computers of
     * other hosts); returns the earliest moment it struck, by their clocks.
     */
    default long faultByAgents(String idc, String kind, int seconds) {
        throw new UnsupportedOperationException("faults by node agents cannot be asked for here");
    }

    /** Asks the node agents of the IDC to end a partition now (the ones that answer). */
    default void restoreByAgents(String idc) {
    }

    /** Whether the computer is reachable to the manager now (its node agent answers). */
    default boolean reachable(String address) {
        return true;
    }

    /** Switches the cluster's primary IDC to the IDC on purpose (a planned switch) and returns when it has ended. */
    default void switchPrimary(String cluster, String to) {
        throw new UnsupportedOperationException("a planned switch cannot be asked for here");
    }

    /** A cross-city cluster's DR city now (what each DR standby holds, the last promotion's actual loss). */
    default org.idcguard.model.DrStatus drStatus(String cluster) {
        throw new UnsupportedOperationException("the DR city cannot be asked about here");
    }

    /** The preflight of a backup-city promotion in a mode (null: latest), with the estimated loss. */
    default org.idcguard.model.DrPlan drPlan(String cluster, String to, String mode) {
        throw new UnsupportedOperationException("the DR city cannot be asked about here");
    }

    /** Promotes the backup city (the loss accepted) and returns when the promotion has ended. */
    default void promoteBackupCity(String cluster, org.idcguard.model.DrPromoteRequest request) {
        throw new UnsupportedOperationException("the backup city cannot be promoted here");
    }

    /**
     * The home whose managers run on this machine (a quorum's members started with {@code --home} it), so a power-off of
     * an IDC takes its managers too; empty when none does.
     */
    default java.util.Optional<java.nio.file.Path> managersHome() {
        return java.util.Optional.empty();
    }

    /** Whether the manager can be SIGKILLed and started again here (a chaos soak then includes manager faults). */
    default boolean managerRestartable() {
        return false;
    }

    /** SIGKILLs the manager. */
    default void killManager() {
        throw new UnsupportedOperationException("the manager cannot be restarted here");
    }

    /** Starts the manager again and returns once it answers. */
    default void startManager() {
        throw new UnsupportedOperationException("the manager cannot be restarted here");
    }
}
