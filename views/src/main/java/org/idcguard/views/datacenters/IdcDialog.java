package org.idcguard.views.datacenters;

import javafx.event.ActionEvent;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import org.idcguard.model.Idc;
import org.idcguard.views.common.FormLayout;

/** The Add / Edit IDC dialog: name, then province, then a city of that province; it stays open until the manager accepts. */
public final class IdcDialog extends Dialog<Idc> {
    public static final ButtonType CONFIRM = new ButtonType("Confirm", ButtonBar.ButtonData.OK_DONE);

    public IdcDialog(Window owner, IdcFormViewModel vm) {
        initOwner(owner);
        setTitle(vm.isEdit() ? "Edit IDC" : "Add IDC");
        setHeaderText(vm.isEdit() ? "Change the data center's name or location." : "A data center, and the city it stands in.");
        TextField name = new TextField();
        name.setPromptText("e.g. IDC1");
        name.textProperty().bindBidirectional(vm.nameProperty());
        ComboBox<String> province = new ComboBox<>(vm.provinces());
        province.setEditable(true);
        province.setPromptText("Province");
        province.setMaxWidth(Double.MAX_VALUE);
        province.valueProperty().bindBidirectional(vm.provinceProperty());
        ComboBox<String> city = new ComboBox<>(vm.cities());
        city.setEditable(true);
        city.setPromptText("City");
        city.setMaxWidth(Double.MAX_VALUE);
        city.valueProperty().bindBidirectional(vm.cityProperty());
        city.disableProperty().bind(vm.provinceProperty().isEmpty());

        Label general = new Label();
        general.setId("idc-general-error");
        general.getStyleClass().add("field-error");
        general.textProperty().bind(vm.errors().general());
        general.setWrapText(true);

        VBox content = new VBox(8, new FormLayout()
                .field("Name", "idc-name", name, vm.errors().of("name"))
                .field("Province", "idc-province", province, vm.errors().of("province"))
                .field("City", "idc-city", city, vm.errors().of("city"))
                .build(), general);
        content.setPrefWidth(440);
        getDialogPane().setContent(content);
        getDialogPane().getButtonTypes().addAll(CONFIRM, ButtonType.CANCEL);
        getDialogPane().getStyleClass().add("idc-dialog");

        Button confirm = (Button) getDialogPane().lookupButton(CONFIRM);
        confirm.setId("idc-confirm");
        confirm.disableProperty().bind(vm.savingProperty());
        // Keep the dialog open while the manager decides; close it only when the IDC is saved.
        confirm.addEventFilter(ActionEvent.ACTION, event -> {
            event.consume();
            commitTypedText(province);
            commitTypedText(city);
            vm.save(saved -> {
                setResult(saved);
                close();
            });
        });
        setResultConverter(button -> null);
        setOnShown(e -> name.requestFocus());
    }

    /** An editable combo box holds typed text in its editor until focus leaves; take it now. */
    private static void commitTypedText(ComboBox<String> box) {
        String typed = box.getEditor().getText();
        if (typed != null && !typed.equals(box.getValue())) {
            box.setValue(typed);
        }
    }
}
