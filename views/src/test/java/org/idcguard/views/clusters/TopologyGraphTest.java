package org.idcguard.views.clusters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.stage.Stage;
import org.idcguard.model.ClusterRequest;
import org.idcguard.views.common.Inventory;
import org.idcguard.views.testing.ConsoleStage;
import org.idcguard.views.testing.DirectBackground;
import org.idcguard.views.testing.FakeManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

@ExtendWith(ApplicationExtension.class)
class TopologyGraphTest {
    private final FakeManager manager = new FakeManager().withIdc("IDC1").withIdc("IDC2").withIdc("IDC3")
            .withComputer("127.0.1.1", "IDC1").withComputer("127.0.1.2", "IDC1")
            .withComputer("127.0.2.1", "IDC2").withComputer("127.0.2.2", "IDC2").withComputer("127.0.4.1", "IDC3");

    @Start
    void start(Stage stage) {
        manager.createCluster(new ClusterRequest("sales", "intra-city", "Shenzhen", "IDC1", "IDC2", 2, 2,
                List.of("127.0.1.1", "127.0.1.2", "127.0.2.1", "127.0.2.2"), null, null, null));
        Inventory inventory = new Inventory(manager, new DirectBackground());
        inventory.refresh();
        ClustersView view = new ClustersView(inventory);
        ConsoleStage.show(stage, view);
        view.open("sales");
    }

    @Test
    void drawsEveryNodeInItsIdcWithRoleAndReplicationKind(FxRobot robot) {
        assertTrue(robot.lookup("#idc-IDC1").tryQuery().isPresent());
        assertTrue(robot.lookup("#idc-IDC2").tryQuery().isPresent());
        assertEquals(12, robot.lookup(".node-chip").queryAll().stream().filter(n -> n.getId() != null).count());
        assertTrue(styles(robot, "#node-sales-coordinator-1").contains("role-primary"));
        assertTrue(styles(robot, "#node-sales-shard2-3").contains("role-standby"));
        assertTrue(styles(robot, "#edge-sales-shard1-3").contains("edge-sync"), "backup-IDC standby is synchronous");
        assertTrue(styles(robot, "#edge-sales-shard1-2").contains("edge-async"), "same-IDC standby is asynchronous");
        assertEquals(9, robot.lookup(".replication-edge").queryAll().stream().filter(n -> n.getId() != null).count());
    }

    @Test
    void eachStandbySaysHowItStreamsAndItsTooltipGivesWalAndLag(FxRobot robot) {
        Label sync = robot.lookup("#node-sales-shard1-3").queryAs(Label.class);
        Label async = robot.lookup("#node-sales-shard1-2").queryAs(Label.class);
        assertTrue(sync.getText().endsWith("  sync"), sync.getText());
        assertTrue(async.getText().endsWith("  async"), async.getText());
        String tip = sync.getTooltip() == null ? "" : sync.getTooltip().getText();
        assertTrue(tip.contains("WAL 0/3000000") && tip.contains("sync quorum, lag 0 B"), tip);
        assertEquals("  async +12 KiB", TopologyGraph.replication(new org.idcguard.model.NodeView("n", "g", "IDC1", "h", 1, "standby",
                1, "/d", "async", 12 * 1024 + 5, "0/1")));
        assertEquals("", TopologyGraph.replication(new org.idcguard.model.NodeView("n", "g", "IDC1", "h", 1, "primary",
                1, "/d", "-", -1, "0/1")));
    }

    @Test
    void showsTheUrisWithThePasswordMaskedUntilAnAdminRevealsItWhichTheManagerRecords(FxRobot robot) {
        TextField jdbc = robot.lookup("#uri-jdbc").queryAs(TextField.class);
        TextField libpq = robot.lookup("#uri-libpq").queryAs(TextField.class);
        assertEquals("jdbc:postgresql://h:1/app?user=app&password=••••••", jdbc.getText());
        assertEquals("postgresql://app:••••••@h:1/app", libpq.getText());
        robot.clickOn("#copy-uri-libpq");
        robot.interact(() -> assertEquals("postgresql://app:••••••@h:1/app", javafx.scene.input.Clipboard.getSystemClipboard().getString(),
                "Copy copies what is shown: no password before it was revealed"));
        assertTrue(manager.calls().stream().noneMatch(c -> c.startsWith("revealUris")), manager.calls().toString());
        robot.clickOn("#reveal-uris");
        assertEquals("jdbc:postgresql://h:1/app?user=app&password=s3cret", jdbc.getText()); // the background runs at once here
        assertTrue(manager.calls().contains("revealUris sales"), "the reveal went through the manager, which records it: " + manager.calls());
        robot.clickOn("#copy-uri-libpq");
        robot.interact(() -> assertEquals("postgresql://app:s3cret@h:1/app", javafx.scene.input.Clipboard.getSystemClipboard().getString()));
        robot.clickOn("#reveal-uris");
        assertEquals("postgresql://app:••••••@h:1/app", libpq.getText());
    }

    @Test
    void aViewerAskingForThePasswordGetsTheManagersRefusalAndNoPassword(FxRobot robot) {
        manager.as("vera", "viewer");
        TextField jdbc = robot.lookup("#uri-jdbc").queryAs(TextField.class);
        robot.clickOn("#reveal-uris");
        Label message = robot.lookup("#cluster-message").queryAs(Label.class);
        assertTrue(message.getText().contains("only an admin may do this"), message.getText());
        assertEquals("jdbc:postgresql://h:1/app?user=app&password=••••••", jdbc.getText());
        assertTrue(!robot.lookup("#reveal-uris").queryAs(javafx.scene.control.ToggleButton.class).isSelected(), "the toggle fell back");
    }

    @Test
    void drawsTheQuorumsManagersWhereTheyRunAndAThirdSiteOfItsOwn(FxRobot robot) {
        manager.setManagers(org.idcguard.views.dashboard.ManagersDashboardTestData.HEALTHY);
        TopologyGraph graph = robot.lookup("#topology-graph").queryAs(TopologyGraph.class);
        robot.interact(() -> graph.show(manager.cluster("sales"), manager.managers()));
        assertEquals(3, robot.lookup(".manager-chip").queryAll().size());
        assertTrue(styles(robot, "#manager-chip-2").contains("manager-leader"));
        assertTrue(robot.lookup("#idc-site3").tryQuery().isPresent(), "the third site has a region of its own");
        javafx.geometry.Bounds idc1 = robot.lookup("#idc-IDC1").query().getBoundsInParent();
        javafx.geometry.Bounds m1 = robot.lookup("#manager-chip-1").query().getBoundsInParent();
        assertTrue(idc1.contains(m1), "manager 1 is drawn inside IDC1");
    }

    @Test
    void drawsTheDrCityApartOnTheFarSideWithAsynchronousEdges(FxRobot robot) {
        manager.createCluster(new ClusterRequest("dr", "cross-city", "Shenzhen", "IDC1", "IDC2", 1, 1,
                List.of("127.0.1.1", "127.0.2.1", "127.0.4.1"), null, null, null, List.of(), "IDC3", null));
        TopologyGraph graph = robot.lookup("#topology-graph").queryAs(TopologyGraph.class);
        robot.interact(() -> graph.show(manager.cluster("dr")));
        assertTrue(styles(robot, "#idc-IDC3").contains("idc-region-dr"), "the DR IDC is marked apart");
        double backup = robot.lookup("#idc-IDC2").query().getBoundsInParent().getMinX();
        assertTrue(robot.lookup("#idc-IDC3").query().getBoundsInParent().getMinX() > backup, "the other city on the far side");
        assertTrue(styles(robot, "#edge-dr-shard1-3").contains("edge-async"), "the DR standby streams asynchronously");
        assertTrue(robot.lookup(".idc-title").queryAll().stream().map(n -> ((javafx.scene.control.Label) n).getText())
                .anyMatch(t -> t.startsWith("IDC3  ·  DR IDC · async")));
        assertTrue(graph.getPrefWidth() < 1000, "three regions fit a console window: " + graph.getPrefWidth());
    }

    private static List<String> styles(FxRobot robot, String query) {
        Node node = robot.lookup(query).query();
        return node.getStyleClass();
    }
}
