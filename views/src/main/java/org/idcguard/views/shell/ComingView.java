package org.idcguard.views.shell;

import javafx.scene.control.Label;
import javafx.scene.layout.VBox;
import org.idcguard.views.common.ScreenHeader;

/** A screen whose feature is not built yet: says what it will hold. */
public final class ComingView extends VBox {
    public ComingView(String title, String purpose) {
        getStyleClass().add("screen");
        setSpacing(12);
        Label coming = new Label("Coming in a later release.");
        coming.getStyleClass().add("empty-title");
        Label what = new Label(purpose);
        what.getStyleClass().add("empty-hint");
        what.setWrapText(true);
        VBox box = new VBox(6, coming, what);
        box.getStyleClass().add("empty-state");
        getChildren().addAll(new ScreenHeader(title, purpose), box);
    }
}
