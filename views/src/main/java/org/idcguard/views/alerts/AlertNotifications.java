package org.idcguard.views.alerts;

import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.util.Duration;
import org.controlsfx.control.Notifications;
import org.idcguard.model.Alert;

/** A desktop notification for a new alert: critical ones stay until closed, the others fade after a while. */
public final class AlertNotifications {
    private AlertNotifications() {
    }

    public static void show(Node owner, Alert alert) {
        if (owner.getScene() == null || owner.getScene().getWindow() == null) {
            return; // no window yet to anchor it to; the alert list has it
        }
        Notifications n = Notifications.create()
                .owner(owner.getScene().getWindow())
                .title(alert.level().toUpperCase() + " · " + alert.subject())
                .text(alert.message())
                .position(Pos.TOP_RIGHT)
                .hideAfter("critical".equals(alert.level()) ? Duration.INDEFINITE : Duration.seconds(12));
        switch (alert.level()) {
            case "critical" -> n.showError();
            case "warning" -> n.showWarning();
            default -> n.showInformation();
        }
    }
}
