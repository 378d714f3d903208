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
        follow(province, vm.provinceProperty());
        ComboBox<String> city = new ComboBox<>(vm.cities());
        city.setEditable(true);
        city.setPromptText("City");
        city.setMaxWidth(Double.MAX_VALUE);
        follow(city, vm.cityProperty());
        city.disableProperty().bind(vm.provinceProperty().isEmpty());

        Label general = new Label();
        general.setId("idc-general-error");
        general.getStyleClass().add("field-error");
        general.textProperty().bind(vm.errors().general());
        general.setWrapText(true);
        general.setMaxWidth(420);
        general.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE); // a refusal of two lines is read whole

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
            vm.save(saved -> {
                setResult(saved);
                close();
            });
        });
        FormLayout.fitDialogTo(this, vm.errors());
        setResultConverter(button -> null);
        setOnShown(e -> name.requestFocus());
    }

    /**
     * Free entry: the view-model follows both what is picked from the list and what is typed, key by key
     * (an editable combo box would otherwise hold typed text back until focus leaves it).
     */
    private static void follow(ComboBox<String> box, javafx.beans.property.StringProperty target) {
        box.setValue(target.get() == null || target.get().isEmpty() ? null : target.get());
        box.valueProperty().addListener((obs, old, now) -> target.set(now == null ? "" : now));
        box.getEditor().textProperty().addListener((obs, old, now) -> target.set(now == null ? "" : now));
    }
}
