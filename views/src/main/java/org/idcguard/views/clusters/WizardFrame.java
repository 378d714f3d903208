package org.idcguard.views.clusters;

import java.util.List;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.VBox;

/**
 * The frame the console's wizards share: Back, Next and Close buttons (Back and Next go to the view model, never close
 * the dialog), the list of steps on the left with the current one marked, and the body the pages are shown in.
 */
final class WizardFrame {
    final Button back;
    final Button next;
    final Button close;
    final BorderPane body = new BorderPane();
    private final VBox steps = new VBox(4);

    /** @param idPrefix the ids tests find the buttons by: "wizard" gives wizard-back, wizard-next, wizard-close */
    WizardFrame(Dialog<?> dialog, String idPrefix, Runnable onBack, Runnable onNext, double width, double height) {
        ButtonType backType = new ButtonType("Back", ButtonBar.ButtonData.BACK_PREVIOUS);
        ButtonType nextType = new ButtonType("Next", ButtonBar.ButtonData.NEXT_FORWARD);
        dialog.getDialogPane().getButtonTypes().addAll(backType, nextType, ButtonType.CLOSE);
        back = (Button) dialog.getDialogPane().lookupButton(backType);
        next = (Button) dialog.getDialogPane().lookupButton(nextType);
        close = (Button) dialog.getDialogPane().lookupButton(ButtonType.CLOSE);
        back.setId(idPrefix + "-back");
        next.setId(idPrefix + "-next");
        close.setId(idPrefix + "-close");
        back.addEventFilter(javafx.event.ActionEvent.ACTION, e -> {
            e.consume();
            onBack.run();
        });
        next.addEventFilter(javafx.event.ActionEvent.ACTION, e -> {
            e.consume();
            onNext.run();
        });
        // Enter means Next; a new page puts the focus on its first input (or on Next), never on Close
        next.setDefaultButton(true);
        close.setDefaultButton(false);
        body.centerProperty().addListener((o, was, page) -> javafx.application.Platform.runLater(() -> focusFirstInput(page)));
        steps.getStyleClass().add("wizard-steps");
        steps.setMinWidth(170);
        body.setLeft(steps);
        body.setPrefSize(width, height);
        dialog.getDialogPane().setContent(body);
        dialog.getDialogPane().getStyleClass().add("cluster-wizard");
        dialog.setHeaderText(null);
        dialog.setResizable(true);
        dialog.setResultConverter(b -> null);
    }

    /** The page's first field to type or choose in, else Next (Close when Next is off): never Close by accident. */
    private void focusFirstInput(javafx.scene.Node page) {
        java.util.Optional<javafx.scene.Node> input = page == null ? java.util.Optional.empty() : firstInput(page);
        (input.isPresent() ? input.get() : next.isDisabled() ? close : next).requestFocus();
    }

    private static java.util.Optional<javafx.scene.Node> firstInput(javafx.scene.Node node) {
        // a field to type or choose in; buttons (radio, check boxes) keep Enter for themselves, so they are left to Tab
        boolean input = node instanceof javafx.scene.control.TextInputControl t ? t.isEditable()
                : node instanceof javafx.scene.control.ComboBoxBase<?> || node instanceof javafx.scene.control.Spinner<?>;
        if (input && !node.isDisabled() && node.isVisible()) {
            return java.util.Optional.of(node);
        }
        if (node instanceof javafx.scene.Parent p && node.isVisible()) {
            for (javafx.scene.Node child : p.getChildrenUnmodifiable()) {
                java.util.Optional<javafx.scene.Node> found = firstInput(child);
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        return java.util.Optional.empty();
    }

    /** Draws the steps, the current one marked and those before it passed. */
    void mark(List<String> titles, int current) {
        steps.getChildren().clear();
        for (int i = 0; i < titles.size(); i++) {
            Label step = new Label((i + 1) + "  " + titles.get(i));
            step.getStyleClass().add("wizard-step");
            if (i == current) {
                step.getStyleClass().add("current");
            } else if (i < current) {
                step.getStyleClass().add("passed");
            }
            steps.getChildren().add(step);
        }
    }
}
