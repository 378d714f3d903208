package org.idcguard.views.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDateTime;
import java.time.ZoneId;
import javafx.geometry.Orientation;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.ScrollBar;
import javafx.stage.Stage;
import org.idcguard.model.Event;
import org.idcguard.views.alerts.AlertsViewModel;
import org.idcguard.views.common.Inventory;
import org.idcguard.views.testing.ConsoleStage;
import org.idcguard.views.testing.DirectBackground;
import org.idcguard.views.testing.FakeManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The dashboard's recent events: told apart to the millisecond, and long sentences wrap instead of scrolling sideways. */
@ExtendWith(ApplicationExtension.class)
class DashboardEventsTest {
    private static final long AT = LocalDateTime.of(2026, 11, 29, 3, 4, 5, 120_000_000).atZone(ZoneId.systemDefault())
            .toInstant().toEpochMilli();
    private static final String LONG = "Takeover of Sales/shard1 done: Sales-shard1-3 in IDC2 promoted at 0/5A0012F8 after "
            + "every standby was detached from the lost primary, which is fenced and will be rewound when its computer answers "
            + "again; the coordinator's foreign servers now reach it, and synchronous replication waits for IDC1 again.";
    private final FakeManager manager = new FakeManager().withIdc("IDC1")
            .withEvent(new Event(1, AT, "failover.started", "Sales/shard1", "Takeover of Sales/shard1 started."))
            .withEvent(new Event(2, AT + 340, "failover.done", "Sales/shard1", LONG));
    private DashboardViewModel vm;

    @Start
    void start(Stage stage) {
        Inventory inventory = new Inventory(manager, new DirectBackground());
        inventory.refresh();
        vm = new DashboardViewModel(inventory, new AlertsViewModel(inventory));
        vm.refreshEvents();
        ConsoleStage.show(stage, new DashboardView(vm));
    }

    @Test
    void eventsOfTheSameSecondAreToldApartToTheMillisecond(FxRobot robot) {
        WaitForAsyncUtils.waitForFxEvents();
        ListView<Event> list = robot.lookup("#recent-events").queryListView();
        assertEquals(2, list.getItems().size());
        assertTrue(cellText(robot, 2).startsWith("2026-11-29 03:04:05.460   Takeover of Sales/shard1 done"), cellText(robot, 2));
        assertTrue(cellText(robot, 1).startsWith("2026-11-29 03:04:05.120   Takeover of Sales/shard1 started."), cellText(robot, 1));
    }

    @Test
    void aLongEventWrapsWithinTheListWithoutAHorizontalScrollBar(FxRobot robot) {
        WaitForAsyncUtils.waitForFxEvents();
        ListView<Event> list = robot.lookup("#recent-events").queryListView();
        boolean sideways = robot.lookup(".scroll-bar").queryAllAs(ScrollBar.class).stream()
                .filter(b -> b.getOrientation() == Orientation.HORIZONTAL && isInside(b, list))
                .anyMatch(ScrollBar::isVisible);
        assertFalse(sideways, "the events list scrolls sideways");
        ListCell<?> cell = robot.lookup(".list-cell").queryAllAs(ListCell.class).stream()
                .filter(c -> c.getItem() instanceof Event e && e.id() == 2).findFirst().orElseThrow();
        assertTrue(cell.getHeight() > 30, "the long event takes more than one line: " + cell.getHeight());
        assertTrue(cell.getWidth() <= list.getWidth(), cell.getWidth() + " > " + list.getWidth());
    }

    private static String cellText(FxRobot robot, long id) {
        return robot.lookup(".list-cell").queryAllAs(ListCell.class).stream()
                .filter(c -> c.getItem() instanceof Event e && e.id() == id).findFirst().orElseThrow().getText();
    }

    private static boolean isInside(javafx.scene.Node node, javafx.scene.Node ancestor) {
        for (javafx.scene.Node n = node; n != null; n = n.getParent()) {
            if (n == ancestor) {
                return true;
            }
        }
        return false;
    }
}
