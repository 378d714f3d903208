package org.idcguard.views.clusters;

import javafx.collections.FXCollections;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.Spinner;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import org.idcguard.model.ClusterSummary;
import org.idcguard.model.Idc;
import org.idcguard.views.common.Inventory;

/**
 * Adds a DR city to a running cluster: an IDC of another city and the standbys per group there. The manager's refusal
 * is shown under the field and the dialog stays open; once accepted it closes and the cluster screen follows the task.
 */
final class AddDrCityDialog extends Dialog<Void> {

    AddDrCityDialog(Window owner, Inventory inventory, ClusterSummary cluster, ClusterDetailViewModel vm) {
        initOwner(owner);
        setTitle("Add a DR city — " + cluster.name());
        setHeaderText(null);
        ButtonType addType = new ButtonType("Add DR city", ButtonBar.ButtonData.OK_DONE);
        getDialogPane().getButtonTypes().addAll(addType, ButtonType.CANCEL);
        ComboBox<String> idc = new ComboBox<>(FXCollections.observableArrayList(inventory.idcs().stream()
                .filter(i -> !i.city().equalsIgnoreCase(cluster.city())).map(Idc::name).sorted().toList()));
        idc.setId("dr-add-idc");
        idc.setPromptText("an IDC of another city");
        Spinner<Integer> nodes = new Spinner<>(1, 4, 1);
        nodes.setId("dr-add-nodes");
        Label error = new Label();
        error.setId("dr-add-error");
        error.getStyleClass().add("field-error");
        error.setWrapText(true);
        error.setMaxWidth(420);
        Label about = new Label("Every group of " + cluster.name() + " (in " + cluster.city() + ") gets asynchronous standbys in the DR IDC, "
                + "copied from its primary while applications keep writing. They are never waited for, and only you can promote them.");
        about.setWrapText(true);
        about.setMaxWidth(420);
        GridPane form = new GridPane();
        form.setHgap(10);
        form.setVgap(8);
        form.addRow(0, new Label("DR IDC"), idc);
        form.add(error, 1, 1);
        form.addRow(2, new Label("Standbys per group"), nodes);
        getDialogPane().setContent(new VBox(12, about, form));
        Button add = (Button) getDialogPane().lookupButton(addType);
        add.setId("dr-add-confirm");
        idc.valueProperty().addListener((obs, old, now) -> error.setText(""));
        add.addEventFilter(javafx.event.ActionEvent.ACTION, e -> {
            e.consume(); // closed only once the manager accepted
            if (idc.getValue() == null) {
                error.setText("Choose the DR IDC, in another city.");
                return;
            }
            add.setDisable(true);
            vm.addDrCity(idc.getValue(), nodes.getValue(), refusal -> {
                add.setDisable(false);
                error.setText(refusal);
            }, this::close);
        });
        setResultConverter(b -> null);
    }
}
