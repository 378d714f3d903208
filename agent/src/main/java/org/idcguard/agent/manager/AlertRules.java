package org.idcguard.agent.manager;

import java.util.Map;
import java.util.Optional;

/**
 * Which events are alerts, and how loud. Everything else stays on the timeline only: a DBA woken at night must be
 * woken for an IDC or a protection lost, not for a sync set adjusted after a rejoin.
 */
public final class AlertRules {
    public static final String CRITICAL = "critical";
    public static final String WARNING = "warning";
    public static final String INFO = "info";

    private static final Map<String, String> LEVELS = Map.ofEntries(
            Map.entry("idc.down", CRITICAL),
            Map.entry("alert.city-lost", CRITICAL),
            Map.entry("dr.promoting", CRITICAL),
            Map.entry("alert.dr-lagging", WARNING),
            Map.entry("alert.dr-not-receiving", WARNING),
            Map.entry("dr.promoted", WARNING),
            Map.entry("dr.caught-up", INFO),
            Map.entry("dr.receiving", INFO),
            Map.entry("city.back", INFO),
            Map.entry("alert.protection-lost", CRITICAL),
            Map.entry("alert.commits-waiting", CRITICAL),
            Map.entry("alert.lease-unenforced", WARNING),
            // a prepared part of a cross-shard transaction held too long: its row locks hold every writer of those rows
            Map.entry("twophase.stuck", WARNING),
            Map.entry("approval.requested", WARNING), // a second admin must see it
            Map.entry("ha.action-failed", CRITICAL),
            Map.entry("drill.failed", CRITICAL),
            Map.entry("failover.started", WARNING),
            Map.entry("failover.done", WARNING),
            Map.entry("failover.rolled-back", WARNING),
            Map.entry("failover.repoint-failed", WARNING),
            Map.entry("node.fenced", WARNING),
            Map.entry("switch.rolled-back", WARNING),
            Map.entry("computer.unreachable", WARNING),
            Map.entry("idc.up", INFO),
            Map.entry("protection.restored", INFO),
            Map.entry("computer.reachable", INFO),
            Map.entry("manager.elected", INFO));

    private AlertRules() {
    }

    /** The alert level of an event kind, or empty when the event is not an alert. */
    public static Optional<String> level(String kind) {
        return Optional.ofNullable(LEVELS.get(kind));
    }
}
