package org.idcguard.views.shell;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import javafx.animation.Animation;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.beans.binding.Bindings;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToggleGroup;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.util.Duration;
import org.controlsfx.control.StatusBar;
import org.idcguard.model.CityCatalog;
import org.idcguard.views.common.Inventory;
import org.idcguard.views.clusters.ClustersView;
import org.idcguard.views.computers.ComputersView;
import org.idcguard.views.computers.ComputersViewModel;
import org.idcguard.views.dashboard.DashboardView;
import org.idcguard.views.dashboard.DashboardViewModel;
import org.idcguard.views.datacenters.DataCentersView;
import org.idcguard.views.datacenters.DataCentersViewModel;
import org.idcguard.views.alerts.AlertNotifications;
import org.idcguard.views.alerts.AlertsView;
import org.idcguard.views.alerts.AlertsViewModel;
import org.idcguard.views.drills.DrillsView;
import org.idcguard.views.drills.DrillsViewModel;
import org.idcguard.views.tasks.TasksView;
import org.idcguard.views.tasks.TasksViewModel;

/**
 * The main window's content: navigation on the left, the chosen screen in the middle, the manager's
 * address and a banner when it is lost at the top, and background progress at the bottom.
 */
public final class MainView extends BorderPane {
    /** How often the console asks the manager for fresh state. */
    public static final Duration REFRESH_EVERY = Duration.seconds(2);
    private final Map<String, Supplier<Node>> screens = new LinkedHashMap<>();
    private final Map<String, Node> built = new LinkedHashMap<>();
    private final ToggleGroup navigation = new ToggleGroup();
    private final Timeline poller;

    /**
     * @param me        who the manager takes this console for, shown in the header
     * @param logOut    ends the session and goes back to the login (run on the FX thread)
     */
    public MainView(Inventory inventory, String managerUrl, org.idcguard.views.common.FileSaver saver,
                    org.idcguard.model.Whoami me, Runnable logOut) {
        getStyleClass().add("main-view");
        CityCatalog catalog = CityCatalog.bundled();
        AlertsViewModel alerts = new AlertsViewModel(inventory);
        DashboardViewModel dashboard = new DashboardViewModel(inventory, alerts);
        screens.put("Dashboard", () -> new DashboardView(dashboard));
        screens.put("Data Centers", () -> new DataCentersView(new DataCentersViewModel(inventory, catalog)));
        screens.put("Computers", () -> new ComputersView(new ComputersViewModel(inventory)));
        screens.put("Clusters", () -> new ClustersView(inventory));
        screens.put("Tasks", () -> new TasksView(new TasksViewModel(inventory)));
        alerts.onNewAlerts(raised -> AlertNotifications.show(this, raised));
        screens.put("Alerts", () -> new AlertsView(alerts));
        screens.put("Drills", () -> new DrillsView(new DrillsViewModel(inventory, saver)));
        screens.put("Audit", () -> new org.idcguard.views.audit.AuditView(new org.idcguard.views.audit.AuditViewModel(inventory, saver)));
        screens.put("Settings", () -> new org.idcguard.views.settings.SettingsView(new org.idcguard.views.settings.SettingsViewModel(inventory)));

        setTop(header(inventory, managerUrl, dashboard.managers(), me, logOut));
        setLeft(navigationBar());
        setBottom(statusBar(inventory));
        show("Dashboard");

        inventory.refresh();
        dashboard.refreshEvents();
        dashboard.refreshManagers();
        alerts.refresh();
        poller = new Timeline(new KeyFrame(REFRESH_EVERY, e -> {
            inventory.refresh();
            dashboard.refreshEvents();
            dashboard.refreshManagers();
            alerts.refresh(); // on every screen: a new alert is announced wherever the DBA is
        }));
        poller.setCycleCount(Animation.INDEFINITE);
        poller.play();
    }

    /** Shows the named screen, building it on first use. */
    public void show(String name) {
        Node screen = built.computeIfAbsent(name, n -> screens.get(n).get());
        setCenter(screen);
        navigation.getToggles().stream().filter(t -> name.equals(((ToggleButton) t).getText())).findFirst()
                .ifPresent(t -> t.setSelected(true));
    }

    public void stopPolling() {
        poller.stop();
    }

    private VBox navigationBar() {
        VBox nav = new VBox(2);
        nav.getStyleClass().add("navigation");
        Label product = new Label("IDC Guard");
        product.getStyleClass().add("product-name");
        nav.getChildren().add(product);
        for (String name : screens.keySet()) {
            ToggleButton button = new ToggleButton(name);
            button.setId("nav-" + name.toLowerCase().replace(' ', '-'));
            button.setToggleGroup(navigation);
            button.getStyleClass().add("nav-button");
            button.setMaxWidth(Double.MAX_VALUE);
            button.setOnAction(e -> {
                button.setSelected(true); // a click on the current screen keeps it chosen
                show(name);
            });
            nav.getChildren().add(button);
        }
        return nav;
    }

    private static VBox header(Inventory inventory, String managerUrl,
                               javafx.collections.ObservableList<org.idcguard.model.ManagerInfo> managers,
                               org.idcguard.model.Whoami me, Runnable logOut) {
        Label manager = new Label("Manager " + managerUrl);
        manager.setId("header-manager");
        manager.getStyleClass().add("header-detail");
        // with a quorum the console follows the leader: the header names the one it speaks to now
        managers.addListener((javafx.collections.ListChangeListener<org.idcguard.model.ManagerInfo>) c -> managers.stream()
                .filter(m -> m.role().equals("leader")).findFirst().ifPresent(leader -> manager.setText("Manager " + leader.url()
                        + (managers.size() > 1 ? "  ·  leader of " + managers.size() + (leader.idc().isEmpty() ? "" : ", in " + leader.idc()) : ""))));
        Label state = new Label();
        state.setId("connection-state");
        state.textProperty().bind(Bindings.when(inventory.managerLostProperty())
                .then("● Manager unreachable").otherwise("● Connected"));
        state.getStyleClass().add("connection-state");
        inventory.managerLostProperty().addListener((obs, was, lost) -> state.pseudoClassStateChanged(
                javafx.css.PseudoClass.getPseudoClass("lost"), lost));
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        Label reasonLabel = new Label("Reason");
        reasonLabel.getStyleClass().add("header-detail");
        HBox bar = new HBox(12, operatorChip(me), reasonLabel, reasonField(inventory), spacer, manager, state, logOutButton(logOut));
        bar.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        bar.getStyleClass().add("header");

        Label lost = new Label();
        lost.setId("manager-lost-banner");
        lost.textProperty().bind(Bindings.concat(inventory.managerProblemProperty(),
                " The console keeps the last known state and retries every ", (int) REFRESH_EVERY.toSeconds(), " s."));
        lost.getStyleClass().add("lost-banner");
        lost.setWrapText(true);
        lost.setMaxWidth(Double.MAX_VALUE);
        lost.visibleProperty().bind(inventory.managerLostProperty());
        lost.managedProperty().bind(lost.visibleProperty());
        return new VBox(bar, lost);
    }

    /** Who is at the console, and their role: what the manager records every change under. */
    private static Label operatorChip(org.idcguard.model.Whoami me) {
        Label chip = new Label(me.name() + "  ·  " + me.role());
        chip.setId("header-operator");
        chip.getStyleClass().addAll("operator-chip", "role-" + me.role());
        chip.setTooltip(new javafx.scene.control.Tooltip(switch (me.role()) {
            case "viewer" -> "A viewer sees everything but secrets and changes nothing.";
            case "operator" -> "An operator also switches, runs drills, acknowledges alerts and does everyday maintenance.";
            default -> "An admin may do everything: DR promotion, deletions, settings, accounts, revealing secrets.";
        }));
        return chip;
    }

    /** The reason (a ticket) sent with every change from now on, recorded beside the operator's name. */
    private static TextField reasonField(Inventory inventory) {
        TextField reason = new TextField();
        reason.setId("header-reason");
        reason.setPromptText("ticket or why, recorded with your changes");
        reason.setPrefColumnCount(22);
        reason.setFocusTraversable(false); // the screen's own controls come first; a click puts the caret here
        reason.setTooltip(new javafx.scene.control.Tooltip("Recorded with every change you make from now on, in the events and "
                + "the audit trail."));
        reason.textProperty().addListener((o, was, now) -> inventory.api().useReason(now));
        return reason;
    }

    private static javafx.scene.control.Button logOutButton(Runnable logOut) {
        javafx.scene.control.Button out = new javafx.scene.control.Button("Log out");
        out.setId("header-logout");
        out.getStyleClass().add("flat");
        out.setOnAction(e -> logOut.run());
        return out;
    }

    private static StatusBar statusBar(Inventory inventory) {
        StatusBar status = new StatusBar();
        status.setId("status-bar");
        var running = inventory.background().runningProperty();
        status.textProperty().bind(Bindings.when(running.greaterThan(0)).then("Working…").otherwise("Ready"));
        status.progressProperty().bind(Bindings.when(running.greaterThan(0)).then(-1.0).otherwise(0.0));
        return status;
    }
}
