package org.idcguard.views.computers;

import java.util.List;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.event.ActionEvent;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import javafx.util.StringConverter;
import org.idcguard.model.Computer;
import org.idcguard.model.Idc;
import org.idcguard.views.common.FieldErrors;
import org.idcguard.views.common.FormLayout;

/** "Update IDC": choose an IDC (or none) and the computers to bind to it. */
public final class UpdateIdcDialog extends Dialog<Void> {
    public static final ButtonType CONFIRM = new ButtonType("Confirm", ButtonBar.ButtonData.OK_DONE);
    /** The choice that unbinds. */
    private static final Idc NONE = new Idc("", "", "");

    public UpdateIdcDialog(Window owner, ComputersViewModel vm, List<Computer> preselected) {
        initOwner(owner);
        setTitle("Update IDC");
        setHeaderText("Bind computers to a data center.");
        FieldErrors errors = new FieldErrors("idc", "computers");
        var saving = new SimpleBooleanProperty(false);

        ComboBox<Idc> idc = new ComboBox<>();
        idc.getItems().add(NONE);
        idc.getItems().addAll(vm.idcs());
        idc.setMaxWidth(Double.MAX_VALUE);
        idc.setPromptText("Choose an IDC");
        idc.setConverter(new StringConverter<>() {
            @Override
            public String toString(Idc i) {
                return i == null ? "" : i == NONE ? "— none (unbind) —" : i.name() + "  (" + i.province() + " / " + i.city() + ")";
            }

            @Override
            public Idc fromString(String s) {
                return null;
            }
        });

        VBox boxes = new VBox(6);
        for (Computer c : vm.computers()) {
            CheckBox box = new CheckBox(c.address() + "   " + (c.idc() == null ? "unbound" : "now in " + c.idc())
                    + "   " + StatusBadge.text(c.status()).substring(2));
            box.setId("choose-" + c.address().replace('.', '-'));
            box.setUserData(c);
            box.setSelected(preselected.stream().anyMatch(p -> p.address().equals(c.address())));
            boxes.getChildren().add(box);
        }
        ScrollPane list = new ScrollPane(boxes);
        list.setPrefHeight(180);
        list.setFitToWidth(true);

        Label general = new Label();
        general.setId("update-idc-general-error");
        general.getStyleClass().add("field-error");
        general.setWrapText(true);
        general.textProperty().bind(errors.general());

        getDialogPane().setContent(new VBox(8, new FormLayout()
                .field("IDC", "update-idc-choice", idc, errors.of("idc"))
                .field("Computers", "update-idc-computers", list, errors.of("computers"))
                .build(), general));
        getDialogPane().setPrefWidth(520);
        getDialogPane().getButtonTypes().addAll(CONFIRM, ButtonType.CANCEL);
        Button confirm = (Button) getDialogPane().lookupButton(CONFIRM);
        confirm.setId("update-idc-confirm");
        confirm.disableProperty().bind(saving);
        confirm.addEventFilter(ActionEvent.ACTION, event -> {
            event.consume();
            List<Computer> chosen = boxes.getChildren().stream().map(n -> (CheckBox) n).filter(CheckBox::isSelected)
                    .map(b -> (Computer) b.getUserData()).toList();
            if (idc.getValue() == null) {
                errors.show("idc", "Choose the IDC to bind the computers to, or none to unbind them.");
            } else if (chosen.isEmpty()) {
                errors.show("computers", "Tick at least one computer.");
            } else {
                errors.clear();
                saving.set(true);
                vm.bindAll(chosen, idc.getValue() == NONE ? null : idc.getValue().name(), failure -> {
                    saving.set(false);
                    if (failure == null) {
                        close();
                    } else {
                        errors.show(failure);
                    }
                });
            }
        });
        FormLayout.fitDialogTo(this, errors);
        setResultConverter(b -> null);
    }
}
