package org.idcguard.views.common;

import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.layout.VBox;

/** Empty states: a table that is empty says why and what to do, and "loading" until the first answer. */
public final class Placeholders {
    private Placeholders() {
    }

    public static Node emptyState(ReadOnlyBooleanProperty loaded, String title, String hint) {
        Label heading = new Label();
        heading.getStyleClass().add("empty-title");
        heading.textProperty().bind(Bindings.when(loaded).then(title).otherwise("Loading…"));
        Label body = new Label(hint);
        body.getStyleClass().add("empty-hint");
        body.setWrapText(true);
        body.visibleProperty().bind(loaded);
        VBox box = new VBox(6, heading, body);
        box.getStyleClass().add("empty-state");
        box.setMaxWidth(420);
        return box;
    }
}
