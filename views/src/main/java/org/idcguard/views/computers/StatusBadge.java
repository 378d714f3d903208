package org.idcguard.views.computers;

import javafx.scene.control.Label;
import org.idcguard.model.ComputerStatus;

/** A computer's reachability as a coloured dot and a word. */
final class StatusBadge {
    private StatusBadge() {
    }

    static Label of(ComputerStatus status) {
        Label label = new Label(text(status));
        label.getStyleClass().addAll("status-badge", "status-" + status.name().toLowerCase());
        return label;
    }

    static String text(ComputerStatus status) {
        return switch (status) {
            case REACHABLE -> "● Reachable";
            case UNREACHABLE -> "● Unreachable";
            case UNKNOWN -> "○ Checking";
        };
    }
}
