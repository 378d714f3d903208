package org.idcguard.views.alerts;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.util.Duration;
import org.controlsfx.control.Notifications;
import org.idcguard.model.Alert;

/**
 * Desktop notifications for new alerts: critical ones stay until closed, the others fade after a while. A burst (an
 * IDC lost at 16 shards raises two alerts per group at once) becomes one summary, not a screen full of pop-ups.
 */
public final class AlertNotifications {
    /** Up to this many new alerts are shown one by one; more are summed up in one notification. */
    static final int ONE_BY_ONE = 2;
    /** However they arrive, no more pop-ups than this stand at once; the rest collapse into a count. */
    private static final int ON_SCREEN = 4;

    private AlertNotifications() {
    }

    public static void show(Node owner, List<Alert> raised) {
        if (owner.getScene() == null || owner.getScene().getWindow() == null || raised.isEmpty()) {
            return; // no window yet to anchor it to; the alert list has them
        }
        if (raised.size() <= ONE_BY_ONE) {
            raised.forEach(a -> show(owner, a.level(), a.level().toUpperCase() + " · " + a.subject(), a.message()));
            return;
        }
        String worst = raised.stream().map(Alert::level).min((a, b) -> Integer.compare(rank(a), rank(b))).orElse("info");
        show(owner, worst, worst.toUpperCase() + " · " + raised.size() + " new alerts", summary(raised));
    }

    /** The burst in a few lines: per cluster (computers together), how many of each kind, worst first. */
    static String summary(List<Alert> raised) {
        Map<String, Map<String, Long>> byCluster = new LinkedHashMap<>();
        raised.stream().sorted((a, b) -> Integer.compare(rank(a.level()), rank(b.level()))).forEach(a -> byCluster
                .computeIfAbsent(about(a.subject()), k -> new LinkedHashMap<>()).merge(kindInWords(a.kind()), 1L, Long::sum));
        return byCluster.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue().entrySet().stream()
                .map(k -> k.getValue() + " × " + k.getKey()).collect(Collectors.joining(", ")))
                .collect(Collectors.joining("\n")) + "\nThe Alerts screen lists each one to acknowledge.";
    }

    /** A cluster's name for its alerts and its groups', "computers" for those about a computer's address. */
    private static String about(String subject) {
        return subject.matches("[0-9.:]+") ? "computers" : subject.split("/")[0];
    }

    private static String kindInWords(String kind) {
        return switch (kind) {
            case "alert.protection-lost" -> "IDC protection lost";
            case "failover.done" -> "takeover done";
            case "failover.started" -> "takeover started";
            case "idc.down" -> "IDC down";
            case "computer.unreachable" -> "computer unreachable";
            case "drill.failed" -> "drill failed";
            default -> kind;
        };
    }

    private static int rank(String level) {
        return switch (level) {
            case "critical" -> 0;
            case "warning" -> 1;
            default -> 2;
        };
    }

    private static void show(Node owner, String level, String title, String text) {
        Notifications n = Notifications.create()
                .owner(owner.getScene().getWindow())
                .title(title)
                .text(text)
                .position(Pos.TOP_RIGHT)
                .threshold(ON_SCREEN, Notifications.create().title("More alerts").text("See the Alerts screen."))
                .hideAfter("critical".equals(level) ? Duration.INDEFINITE : Duration.seconds(12));
        switch (level) {
            case "critical" -> n.showError();
            case "warning" -> n.showWarning();
            default -> n.showInformation();
        }
    }
}
