package org.idcguard.views.common;

import javafx.scene.control.Label;
import javafx.scene.layout.VBox;

/** The title and one-line explanation at the top of each screen. */
public final class ScreenHeader extends VBox {
    public ScreenHeader(String title, String subtitle) {
        Label t = new Label(title);
        t.getStyleClass().add("screen-title");
        Label s = new Label(subtitle);
        s.getStyleClass().add("screen-subtitle");
        getChildren().addAll(t, s);
        getStyleClass().add("screen-header");
    }
}
