package org.idcguard.views.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.idcguard.model.Event;
import org.idcguard.views.common.Inventory;
import org.idcguard.views.testing.ConsoleStage;
import org.idcguard.views.testing.DirectBackground;
import org.idcguard.views.testing.FakeManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/** The audit view lists what operators did (never the manager's own doing), filters by operator, exports CSV. */
@ExtendWith(ApplicationExtension.class)
class AuditViewTest {
    private final FakeManager manager = new FakeManager()
            .withEvent(new Event(1, 1_000, "switch.done", "Orders", "Switched Orders to IDC2.", "otto", "CHG-1"))
            .withEvent(new Event(2, 2_000, "failover.done", "Orders/shard1", "Took shard1 over.", null, null))
            .withEvent(new Event(3, 3_000, "drill.done", "Orders", "Drill 4 of Orders passed.", "ada", "quarterly drill"));
    private final AtomicReference<byte[]> saved = new AtomicReference<>();
    private AuditViewModel vm;

    @Start
    void start(Stage stage) {
        vm = new AuditViewModel(new Inventory(manager, new DirectBackground()), (File f, byte[] content) -> saved.set(content));
        ConsoleStage.show(stage, new AuditView(vm));
    }

    @Test
    void listsOperatorsChangesFiltersThemAndExportsThemAsCsv(FxRobot robot) {
        TableView<?> table = robot.lookup("#audit-table").queryAs(TableView.class);
        assertEquals(2, table.getItems().size(), "the manager's own takeover is not an operator's doing");
        robot.clickOn("#audit-operator").write("otto");
        robot.clickOn("#audit-show");
        assertEquals(1, table.getItems().size());
        robot.interact(() -> vm.export(new File("audit.csv")));
        String csv = new String(saved.get(), StandardCharsets.UTF_8);
        assertTrue(csv.contains("\"otto\",\"CHG-1\",\"switch.done\",\"Orders\""), csv);
        assertTrue(!csv.contains("ada"), "the export is what is shown: " + csv);
    }
}
