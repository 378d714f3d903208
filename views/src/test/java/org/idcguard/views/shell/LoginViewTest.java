package org.idcguard.views.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import javafx.scene.control.Label;
import javafx.stage.Stage;
import org.idcguard.model.ApiException;
import org.idcguard.model.LoginRequest;
import org.idcguard.model.OperatorSession;
import org.idcguard.views.testing.ConsoleStage;
import org.idcguard.views.testing.DirectBackground;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/** The login: the manager's refusal shown as its one sentence, a first login's code and password typed twice. */
@ExtendWith(ApplicationExtension.class)
class LoginViewTest {
    private final List<LoginRequest> asked = new ArrayList<>();
    private OperatorSession granted;

    @Start
    void start(Stage stage) {
        LoginView view = new LoginView("https://127.0.0.1:7480", new DirectBackground(), request -> {
            asked.add(request);
            if (!"a password of hers".equals(request.password())) {
                throw new ApiException(401, "The name or the password is wrong.", null);
            }
            return new OperatorSession("op.x", request.name(), "operator", 0);
        }, session -> granted = session);
        ConsoleStage.show(stage, view);
    }

    @Test
    void aWrongPasswordIsRefusedWithTheManagersSentenceAndTheRightOneLogsIn(FxRobot robot) {
        robot.clickOn("#login-name").write("vera");
        robot.clickOn("#login-password").write("not hers");
        robot.clickOn("#login-submit");
        assertEquals("The name or the password is wrong.", robot.lookup("#login-error").queryAs(Label.class).getText());
        assertNull(granted, "nobody logged in");
        robot.clickOn("#login-password").eraseText(8).write("a password of hers");
        assertEquals("", robot.lookup("#login-error").queryAs(Label.class).getText(), "editing clears the old sentence");
        robot.clickOn("#login-submit");
        assertEquals("vera", granted.name());
        assertNull(asked.get(1).code(), "a plain login sends no code");
    }

    @Test
    void aFirstLoginNeedsTheCodeAndThePasswordTwice(FxRobot robot) {
        robot.clickOn("#login-name").write("vera");
        robot.clickOn("#login-first");
        robot.clickOn("#login-password").write("a password of hers");
        robot.clickOn("#login-again").write("a password of his");
        robot.clickOn("#login-submit");
        assertEquals("The two passwords differ.", robot.lookup("#login-password-error").queryAs(Label.class).getText());
        assertTrue(asked.isEmpty(), "nothing was sent");
        robot.clickOn("#login-again").eraseText(17).write("a password of hers");
        robot.clickOn("#login-submit");
        assertEquals("A first login needs the one-time code an admin gave you.",
                robot.lookup("#login-code-error").queryAs(Label.class).getText());
        robot.clickOn("#login-code").write("c0ffee");
        robot.clickOn("#login-submit");
        assertEquals("c0ffee", asked.get(0).code());
        assertEquals("vera", granted.name());
    }
}
