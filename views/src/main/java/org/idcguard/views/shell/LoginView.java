package org.idcguard.views.shell;

import java.util.function.Consumer;
import java.util.function.Function;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.PasswordField;
import javafx.scene.control.TextField;
import javafx.scene.layout.VBox;
import org.idcguard.model.LoginRequest;
import org.idcguard.model.OperatorSession;
import org.idcguard.views.common.Background;
import org.idcguard.views.common.FieldErrors;
import org.idcguard.views.common.FormLayout;

/**
 * Who is at the console: a named operator logs in with their password, or, the first time, with the one-time code an
 * admin gave them and the password they choose now (typed twice). The manager's refusal shows beside the field it
 * names; nothing is kept until the manager accepts.
 */
public final class LoginView extends VBox {
    private final FieldErrors errors = new FieldErrors("name", "password", "code");
    private final BooleanProperty busy = new SimpleBooleanProperty();

    /**
     * @param login     asks the manager (run through the background door)
     * @param loggedIn  called on the FX thread with the session once the manager accepted
     */
    public LoginView(String managerUrl, Background background, Function<LoginRequest, OperatorSession> login,
                     Consumer<OperatorSession> loggedIn) {
        getStyleClass().add("login");
        setId("login-view");
        Label title = new Label("IDC Guard");
        title.getStyleClass().add("splash-title");
        Label who = new Label("Who is at the console? Every change is recorded with your name.");
        who.getStyleClass().add("screen-subtitle");
        Label where = new Label("Manager " + managerUrl);
        where.getStyleClass().add("header-detail");

        TextField name = new TextField();
        name.setPromptText("your operator name");
        PasswordField password = new PasswordField();
        CheckBox first = new CheckBox("First login: I have a one-time code from an admin");
        TextField code = new TextField();
        code.setPromptText("the code, as given");
        PasswordField again = new PasswordField();
        again.setPromptText("the new password once more");
        code.disableProperty().bind(first.selectedProperty().not());
        again.disableProperty().bind(first.selectedProperty().not());
        password.promptTextProperty().bind(javafx.beans.binding.Bindings.when(first.selectedProperty())
                .then("choose a password (12 characters or more)").otherwise("your password"));
        errors.clearWhenEdited("name", name.textProperty());
        errors.clearWhenEdited("password", password.textProperty());
        errors.clearWhenEdited("code", code.textProperty());

        var form = new FormLayout()
                .field("Name", "login-name", name, errors.of("name"))
                .field("Password", "login-password", password, errors.of("password"))
                .field("", "login-first", first, new javafx.beans.property.SimpleStringProperty(""))
                .field("One-time code", "login-code", code, errors.of("code"))
                .field("Password again", "login-again", again, new javafx.beans.property.SimpleStringProperty(""))
                .build();
        form.setMaxWidth(520);
        Label general = new Label();
        general.setId("login-error");
        general.getStyleClass().add("field-error");
        general.setWrapText(true);
        general.setMaxWidth(520);
        general.textProperty().bind(errors.general());

        Button submit = new Button("Log in");
        submit.setId("login-submit");
        submit.setDefaultButton(true);
        submit.disableProperty().bind(busy.or(name.textProperty().isEmpty()).or(password.textProperty().isEmpty()));
        submit.setOnAction(e -> {
            if (first.isSelected() && !password.getText().equals(again.getText())) {
                errors.show("password", "The two passwords differ.");
                return;
            }
            if (first.isSelected() && code.getText().isBlank()) {
                errors.show("code", "A first login needs the one-time code an admin gave you.");
                return;
            }
            busy.set(true);
            LoginRequest request = new LoginRequest(name.getText().strip(), password.getText(),
                    first.isSelected() ? code.getText().strip() : null);
            background.run("Logging in as " + request.name(), () -> login.apply(request), session -> {
                busy.set(false);
                password.clear();
                again.clear();
                loggedIn.accept(session);
            }, failure -> {
                busy.set(false);
                errors.show(failure);
            });
        });
        VBox card = new VBox(14, title, who, where, form, general, submit);
        card.getStyleClass().add("login-card");
        card.setAlignment(Pos.CENTER);
        card.setMaxWidth(600);
        getChildren().add(card);
        setAlignment(Pos.CENTER);
    }

    public FieldErrors errors() {
        return errors;
    }
}
