package org.idcguard.views.settings;

import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import org.idcguard.views.common.FormLayout;
import org.idcguard.views.common.ScreenHeader;

/** Settings: the manager's HA settings, checked by the same rules as the manager's before they are sent. */
public final class SettingsView extends VBox {
    public SettingsView(SettingsViewModel vm) {
        getStyleClass().add("screen");
        setSpacing(12);
        Label section = new Label("Failure detection");
        section.getStyleClass().add("section-title");
        Label explain = new Label("Every node is probed at the interval. A probe that takes longer than the timeout fails; a node "
                + "is down once it has failed the given number of probes in a row, and a primary is taken over only when, "
                + "besides, its standbys have heard nothing from it for the stream silence. Shorter settings take over sooner "
                + "and risk taking over a primary that was only slow.");
        explain.setWrapText(true);
        explain.getStyleClass().add("screen-subtitle");
        explain.setMaxWidth(720);

        var form = new FormLayout()
                .field("Probe interval (ms)", "settings-interval", field(vm.intervalProperty()), vm.errors().of("probeIntervalMillis"))
                .field("Probe timeout (ms)", "settings-timeout", field(vm.timeoutProperty()), vm.errors().of("probeTimeoutMillis"))
                .field("Failed probes", "settings-failed", field(vm.failedProperty()), vm.errors().of("failedProbes"))
                .field("Stream silence (ms)", "settings-silence", field(vm.silenceProperty()), vm.errors().of("streamSilenceMillis"))
                .build();
        form.setMaxWidth(720);
        Label consequence = new Label();
        consequence.setId("settings-consequence");
        consequence.textProperty().bind(vm.consequence());
        consequence.setWrapText(true);
        Label general = new Label();
        general.setId("settings-general-error");
        general.getStyleClass().add("field-error");
        general.textProperty().bind(vm.errors().general());
        general.setWrapText(true);
        Label message = new Label();
        message.setId("settings-message");
        message.textProperty().bind(vm.messageProperty());
        message.setWrapText(true);

        Button save = new Button("Save");
        save.setId("settings-save");
        save.setDefaultButton(true);
        save.disableProperty().bind(vm.savingProperty());
        save.setOnAction(e -> vm.save());
        Button reload = new Button("Reload");
        reload.setId("settings-reload");
        reload.setOnAction(e -> vm.load());
        HBox buttons = new HBox(8, save, reload);

        getChildren().addAll(new ScreenHeader("Settings", "How the manager decides that a node is gone."), section, explain, form,
                consequence, general, buttons, message);
        vm.load();
    }

    private static TextField field(javafx.beans.property.StringProperty value) {
        TextField f = new TextField();
        f.setPrefColumnCount(8);
        f.textProperty().bindBidirectional(value);
        return f;
    }
}
