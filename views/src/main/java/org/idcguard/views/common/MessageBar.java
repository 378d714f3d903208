package org.idcguard.views.common;

import javafx.beans.property.StringProperty;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;

/** A dismissable strip that shows a screen's last refusal; hidden while there is none. */
public final class MessageBar extends HBox {
    public MessageBar(String id, StringProperty message) {
        Label text = new Label();
        text.setId(id);
        text.textProperty().bind(message);
        text.setWrapText(true);
        HBox.setHgrow(text, Priority.ALWAYS);
        text.setMaxWidth(Double.MAX_VALUE);
        Button dismiss = new Button("Dismiss");
        dismiss.getStyleClass().add("flat");
        dismiss.setOnAction(e -> message.set(""));
        getChildren().addAll(text, dismiss);
        getStyleClass().add("message-bar");
        setSpacing(8);
        visibleProperty().bind(message.isNotEmpty());
        managedProperty().bind(visibleProperty());
    }
}
