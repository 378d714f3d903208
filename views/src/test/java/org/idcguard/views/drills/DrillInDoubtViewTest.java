package org.idcguard.views.drills;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.idcguard.model.DrillReport;
import org.idcguard.model.Event;
import org.idcguard.model.RoundTimeline;
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

/**
 * A drill round in which the coordinator's takeover left parts of cross-shard transactions prepared on two shards:
 * the Groups tab gives each group the parts it ended each way and how long that took after its takeover. With
 * {@code -Didcguard.screenshots=DIR} the screen is also written there at 1600x1000 and 1280x800.
 */
@ExtendWith(ApplicationExtension.class)
class DrillInDoubtViewTest {
    private final DrillReport recorded = withResolutions(DrillFixture.sixteenShardPowerOff());
    private final FakeManager manager = new FakeManager().withIdc("IDC1").withIdc("IDC2").withDrillReport(recorded);
    private DrillsView view;
    private Stage stage;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        manager.withCluster(recorded.cluster(), "IDC1", "IDC2");
        Inventory inventory = new Inventory(manager, new DirectBackground());
        inventory.refresh();
        view = new DrillsView(new DrillsViewModel(inventory, (file, content) -> Files.write(file.toPath(), content)));
        ConsoleStage.show(stage, view);
    }

    @Test
    void eachGroupShowsTheInDoubtPartsItEndedAndWhen(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitForFxEvents();
        TableView<DrillReport> reports = robot.lookup("#drill-reports").queryTableView();
        robot.interact(() -> reports.getSelectionModel().select(0));
        TabPane tabs = robot.lookup("#drill-tabs").queryAs(TabPane.class);
        robot.interact(() -> tabs.getSelectionModel().select(2));
        WaitForAsyncUtils.waitForFxEvents();
        TableView<TimelineModel.Row> groups = robot.lookup("#drill-groups-table").queryTableView();
        TimelineModel.Row shard2 = groups.getItems().stream().filter(r -> r.name().equals("shard2")).findFirst().orElseThrow();
        assertEquals("3 committed, 1 rolled back", shard2.inDoubtText());
        assertEquals("—", groups.getItems().stream().filter(r -> r.name().equals("shard3")).findFirst().orElseThrow().inDoubtText());
        var column = groups.getColumns().stream().filter(c -> c.getText().equals("In doubt")).findFirst().orElseThrow();
        assertEquals("3 committed, 1 rolled back", column.getCellData(shard2));
        String dir = System.getProperty("idcguard.screenshots");
        if (dir != null) {
            for (int[] size : new int[][] {{1600, 1000}, {1280, 800}}) {
                robot.interact(() -> {
                    stage.setWidth(size[0]);
                    stage.setHeight(size[1]);
                });
                WaitForAsyncUtils.waitForFxEvents();
                Thread.sleep(300);
                WaitForAsyncUtils.waitForFxEvents();
                var image = new javafx.scene.image.WritableImage(size[0], size[1]);
                robot.interact(() -> stage.getScene().snapshot(image));
                Files.write(Path.of(dir, "drills-groups-in-doubt-" + size[0] + ".png"), DrillExports.png(image));
            }
        }
    }

    /** The recorded round, with the coordinator's takeover having left parts prepared on shard1 and shard2. */
    private static DrillReport withResolutions(DrillReport r) {
        RoundTimeline t = r.timelines().get(0);
        long coordinatorDone = t.events().stream().filter(e -> e.kind().equals("failover.done") && e.subject().endsWith("/coordinator"))
                .mapToLong(Event::timeMillis).findFirst().orElseThrow();
        List<Event> events = new ArrayList<>(t.events());
        events.add(new Event(900_001, coordinatorDone + 640, "twophase.resolved", r.cluster() + "/shard1", "In-doubt transactions of "
                + "shard1 of " + r.cluster() + " resolved: 2 committed, 0 rolled back (their coordinator had decided or was gone before deciding)."));
        events.add(new Event(900_002, coordinatorDone + 710, "twophase.resolved", r.cluster() + "/shard2", "In-doubt transactions of "
                + "shard2 of " + r.cluster() + " resolved: 3 committed, 1 rolled back (their coordinator had decided or was gone before deciding)."));
        RoundTimeline with = new RoundTimeline(t.round(), t.startMillis(), t.bucketMillis(), t.acks(), t.errors(), t.faultMillis(),
                t.restoredMillis(), events);
        List<RoundTimeline> timelines = new ArrayList<>(r.timelines());
        timelines.set(0, with);
        return new DrillReport(r.id(), r.cluster(), r.fault(), r.idc(), r.startedMillis(), r.finishedMillis(), r.rounds(), timelines,
                r.operator(), r.reason());
    }
}
