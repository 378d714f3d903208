package org.idcguard.views.drills;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javafx.geometry.Point2D;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.scene.input.MouseButton;
import javafx.stage.Stage;
import org.idcguard.model.DrillLive;
import org.idcguard.model.DrillReport;
import org.idcguard.model.RoundTimeline;
import org.idcguard.views.common.Inventory;
import org.idcguard.views.common.PulseProbe;
import org.idcguard.views.testing.ConsoleStage;
import org.idcguard.views.testing.DirectBackground;
import org.idcguard.views.testing.FakeManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The Drills screen against a recorded 16-shard drill: the timeline draws its rows and shows an event's sentence on
 * hover, zooms, the report exports to PNG, CSV and JSON, a drill is started with the form's choices (refused beside
 * the field when incomplete), and a running drill is followed live without blocking the FX thread.
 */
@ExtendWith(ApplicationExtension.class)
class DrillsViewTest {
    private final DrillReport recorded = DrillFixture.sixteenShardPowerOff();
    private final FakeManager manager = new FakeManager().withIdc("IDC1").withIdc("IDC2").withDrillReport(recorded);
    private DrillsViewModel vm;
    private DrillsView view;

    @TempDir
    Path dir;

    @Start
    void start(Stage stage) {
        manager.withCluster(recorded.cluster(), "IDC1", "IDC2");
        Inventory inventory = new Inventory(manager, new DirectBackground());
        inventory.refresh();
        vm = new DrillsViewModel(inventory, (file, content) -> Files.write(file.toPath(), content));
        view = new DrillsView(vm);
        ConsoleStage.show(stage, view);
    }

    @Test
    void theTimelineDrawsTheRecordedDrillAndNamesAnEventOnHover(FxRobot robot) {
        WaitForAsyncUtils.waitForFxEvents();
        TableView<DrillReport> reports = robot.lookup("#drill-reports").queryTableView();
        assertEquals(1, reports.getItems().size());
        TimelineChart chart = view.chart();
        TimelineModel shown = chart.modelProperty().get();
        assertEquals(18, shown.rows().size(), "the cluster row, the coordinator and 16 shards");

        // the coordinator's failover.done marker, hovered where the chart drew it
        TimelineModel.Marker done = shown.rows().get(1).markers().stream().filter(m -> m.event().kind().equals("failover.done"))
                .findFirst().orElseThrow();
        double y = TimelineChart.AXIS_HEIGHT + TimelineChart.STRIP_HEIGHT + TimelineChart.ROW_HEIGHT * 1.5;
        Point2D onScreen = chart.localToScreen(chart.xOf(done.at()), y);
        robot.moveTo(onScreen);
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(chart.hoverText().contains(done.event().message()), chart.hoverText());

        double before = chart.scale();
        robot.scroll(3, javafx.geometry.VerticalDirection.UP);
        WaitForAsyncUtils.waitForFxEvents();
        double zoomed = chart.scale();
        assertEquals(before * Math.pow(0.8, 3), zoomed, before * 1e-6, "three notches one way zoom by 0.8 each");
        robot.scroll(6, javafx.geometry.VerticalDirection.DOWN);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(zoomed * Math.pow(1.25, 6), chart.scale(), before * 1e-6, "and the other way by 1.25 each");
        robot.doubleClickOn(chart, MouseButton.PRIMARY);
        assertEquals(before, chart.scale(), 1e-9, "a double click fits the whole round again");
    }

    @Test
    void theReportExportsToPngCsvAndJson(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitForFxEvents();
        for (String ext : List.of("png", "csv", "json")) {
            Path file = dir.resolve("drill." + ext);
            robot.interact(() -> view.exportTo(file.toFile()));
            WaitForAsyncUtils.waitForFxEvents();
            assertTrue(Files.size(file) > 0, ext);
        }
        byte[] png = Files.readAllBytes(dir.resolve("drill.png"));
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, java.util.Arrays.copyOf(png, 4));
        List<String> csv = Files.readAllLines(dir.resolve("drill.csv"));
        assertEquals(DrillExports.CSV_HEADER, csv.get(0));
        assertEquals(1 + 17, csv.size(), "one line per group of the round");
        assertTrue(csv.get(1).startsWith(recorded.id() + ",1,power-off,IDC1," + recorded.rounds().get(0).rtoMillis() + ",0,"), csv.get(1));
        DrillReport back = new ObjectMapper().readValue(dir.resolve("drill.json").toFile(), DrillReport.class);
        assertEquals(recorded, back, "the JSON is the report whole");
        assertEquals("Exported to drill.json.", robot.lookup("#drill-exported").queryAs(Label.class).getText());
    }

    @Test
    void aDrillStartsWithTheFormsChoicesAndAnIncompleteFormIsRefusedBesideItsField(FxRobot robot) {
        robot.clickOn("#drill-start");
        assertEquals("Choose the cluster to drill.", robot.lookup("#drill-cluster-error").queryAs(Label.class).getText());
        assertEquals(List.of(), manager.calls().stream().filter(c -> c.startsWith("startDrill")).toList(), "nothing started");

        robot.interact(() -> vm.clusterProperty().set(recorded.cluster()));
        assertEquals("IDC1", vm.idcProperty().get(), "the primary IDC is chosen first: the drill that tests a takeover");
        robot.interact(() -> vm.faultProperty().set("freeze"));
        robot.clickOn("#drill-start");
        assertEquals("", robot.lookup("#drill-cluster-error").queryAs(Label.class).getText());
        assertEquals(List.of("startDrill " + recorded.cluster() + " freeze IDC1 1"),
                manager.calls().stream().filter(c -> c.startsWith("startDrill")).toList());
    }

    @Test
    void aRunningDrillIsFollowedLiveWithoutBlockingTheFxThread(FxRobot robot) {
        RoundTimeline whole = recorded.timelines().get(0);
        PulseProbe pulse = new PulseProbe();
        robot.interact(pulse::start);
        // the recorded round replayed as the manager would report it every half second: growing strip, more events
        for (int upTo = 10; upTo <= whole.acks().size(); upTo += 10) {
            long end = whole.startMillis() + (long) upTo * whole.bucketMillis();
            RoundTimeline sofar = new RoundTimeline(1, whole.startMillis(), whole.bucketMillis(), whole.acks().subList(0, upTo),
                    whole.errors().subList(0, upTo), end > whole.faultMillis() ? whole.faultMillis() : 0, 0,
                    whole.events().stream().filter(e -> e.timeMillis() <= end).toList());
            manager.setRunningDrill(new DrillLive(7, recorded.cluster(), "power-off", "IDC1", 1, 1, "waiting for writes to flow again",
                    whole.startMillis(), List.of(), sofar));
            robot.interact(vm::refresh);
            WaitForAsyncUtils.waitForFxEvents();
        }
        robot.interact(pulse::stop);
        assertTrue(pulse.frames() > 10, "the probe saw frames: " + pulse.frames());
        assertTrue(robot.lookup("#drill-live").queryAs(Label.class).getText().startsWith("Drill of " + recorded.cluster() + ": round 1 of 1"),
                robot.lookup("#drill-live").queryAs(Label.class).getText());
        assertTrue(robot.lookup("#drill-start").queryButton().isDisabled(), "one drill at a time");
        assertEquals(18, view.chart().modelProperty().get().rows().size());
        // a figure to report, not a wall-clock assertion (a loaded CI machine would make it flaky)
        System.out.println("Drills screen, live 16-shard round: longest FX pulse gap " + pulse.longestGapMillis() + " ms over "
                + pulse.frames() + " frames");
    }
}
