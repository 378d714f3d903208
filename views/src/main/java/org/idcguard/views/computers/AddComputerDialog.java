package org.idcguard.views.computers;

import javafx.beans.property.SimpleBooleanProperty;
import javafx.event.ActionEvent;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import org.idcguard.model.ComputerRules;
import org.idcguard.model.InvalidInput;
import org.idcguard.model.NewComputer;
import org.idcguard.views.common.FieldErrors;
import org.idcguard.views.common.FormLayout;

/** Registers a computer whose node agent runs: the manager contacts it before storing anything. */
public final class AddComputerDialog extends Dialog<Void> {
    public static final ButtonType ADD = new ButtonType("Add", ButtonBar.ButtonData.OK_DONE);

    public AddComputerDialog(Window owner, ComputersViewModel vm) {
        initOwner(owner);
        setTitle("Add computer");
        setHeaderText("A host whose IDC Guard node agent is running.");
        FieldErrors errors = new FieldErrors("address", "agentEndpoint");
        var saving = new SimpleBooleanProperty(false);
        TextField address = new TextField();
        address.setPromptText("e.g. 10.1.2.3");
        TextField endpoint = new TextField();
        endpoint.setPromptText("default: https://ADDRESS:" + NewComputer.DEFAULT_AGENT_PORT);
        Label general = new Label();
        general.getStyleClass().add("field-error");
        general.setWrapText(true);
        general.textProperty().bind(errors.general());
        getDialogPane().setContent(new VBox(8, new FormLayout()
                .field("Address", "computer-address", address, errors.of("address"))
                .field("Agent endpoint", "computer-endpoint", endpoint, errors.of("agentEndpoint"))
                .build(), general));
        getDialogPane().setPrefWidth(520);
        getDialogPane().getButtonTypes().addAll(ADD, ButtonType.CANCEL);
        Button add = (Button) getDialogPane().lookupButton(ADD);
        add.disableProperty().bind(saving);
        add.addEventFilter(ActionEvent.ACTION, event -> {
            event.consume();
            NewComputer request = new NewComputer(address.getText().strip(),
                    endpoint.getText().isBlank() ? null : endpoint.getText().strip(), null);
            try {
                ComputerRules.check(request);
            } catch (InvalidInput e) {
                errors.show(e.field(), e.getMessage());
                return;
            }
            errors.clear();
            saving.set(true);
            vm.inventory().background().run("Adding computer " + request.address(), () -> vm.inventory().api().addComputer(request),
                    added -> {
                        saving.set(false);
                        vm.inventory().refresh();
                        close();
                    }, failure -> {
                        saving.set(false);
                        errors.show(failure);
                    });
        });
        FormLayout.fitDialogTo(this, errors);
        setResultConverter(b -> null);
        setOnShown(e -> address.requestFocus());
    }
}
