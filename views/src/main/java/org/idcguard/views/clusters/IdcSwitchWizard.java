package org.idcguard.views.clusters;

import java.util.EnumMap;
import java.util.Map;
import javafx.beans.binding.Bindings;
import javafx.collections.FXCollections;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import org.idcguard.model.SwitchPlan;
import org.idcguard.views.clusters.IdcSwitchViewModel.Page;

/** The IDC Switch wizard: target IDC, preflight and plan, confirm, the switch's steps live. */
public final class IdcSwitchWizard extends Dialog<Void> {
    private static final Map<Page, String> TITLES = new EnumMap<>(Map.of(
            Page.TARGET, "Target IDC", Page.PLAN, "Preflight and plan", Page.PROGRESS, "Progress"));
    private final IdcSwitchViewModel vm;
    private final WizardFrame frame;

    public IdcSwitchWizard(Window owner, IdcSwitchViewModel vm) {
        this.vm = vm;
        initOwner(owner);
        setTitle("IDC Switch — " + vm.cluster().name());
        frame = new WizardFrame(this, "switch", vm::back, vm::next, 1140, 520);
        Button back = frame.back;
        Button next = frame.next;
        back.disableProperty().bind(vm.busyProperty().or(vm.pageProperty().isNotEqualTo(Page.PLAN)));
        next.disableProperty().bind(Bindings.createBooleanBinding(() -> vm.busyProperty().get()
                        || vm.pageProperty().get() == Page.PROGRESS || (vm.pageProperty().get() == Page.PLAN && !vm.canConfirm()),
                vm.busyProperty(), vm.pageProperty(), vm.planProperty()));
        next.textProperty().bind(Bindings.when(vm.pageProperty().isEqualTo(Page.PLAN)).then("Confirm switch").otherwise("Next"));
        ButtonBar.setButtonUniformSize(next, false); // "Confirm switch" needs more room than "Next"
        next.setMinWidth(140);
        next.setPrefWidth(140);
        vm.pageProperty().addListener((obs, old, now) -> show(now));
        show(vm.pageProperty().get());
    }

    private void show(Page page) {
        frame.mark(java.util.Arrays.stream(Page.values()).map(TITLES::get).toList(), page.ordinal());
        Node content = switch (page) {
            case TARGET -> target();
            case PLAN -> plan();
            case PROGRESS -> progress();
        };
        Label title = new Label(TITLES.get(page));
        title.getStyleClass().add("screen-title");
        Label general = new Label();
        general.setId("switch-error");
        general.getStyleClass().add("field-error");
        general.setWrapText(true);
        general.textProperty().bind(vm.messageProperty());
        VBox page0 = new VBox(10, title, content, general);
        page0.setPadding(new Insets(4, 8, 8, 20));
        VBox.setVgrow(content, Priority.ALWAYS);
        frame.body.setCenter(page0);
    }

    private Node target() {
        var c = vm.cluster();
        Label now = new Label("Every primary of " + c.name() + " is in " + c.primaryIdc() + " now. The switch moves each group's primary to "
                + "a standby in the target IDC while applications keep running: writes pause for about a second per group, and "
                + "nothing acknowledged is lost. The old primaries stay as standbys, and commits then wait for them.");
        now.setWrapText(true);
        ComboBox<String> idc = new ComboBox<>(FXCollections.observableArrayList(vm.targets()));
        idc.setId("switch-target");
        idc.valueProperty().bindBidirectional(vm.targetProperty());
        Label label = new Label("Switch to");
        label.setMinWidth(90);
        javafx.scene.layout.HBox row = new javafx.scene.layout.HBox(10, label, idc);
        row.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        Label next = new Label("Next runs the preflight: every standby of the target IDC must answer, stream, be in the sync set and "
                + "be caught up. Nothing changes until you confirm.");
        next.setWrapText(true);
        next.getStyleClass().add("screen-subtitle");
        return new VBox(14, now, row, next);
    }

    private Node plan() {
        SwitchPlan p = vm.planProperty().get();
        TableView<SwitchPlan.GroupMove> table = new TableView<>(FXCollections.observableArrayList(p.groups()));
        table.setId("switch-plan");
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.getColumns().add(column("Group", SwitchPlan.GroupMove::group, 100));
        table.getColumns().add(column("Old primary", SwitchPlan.GroupMove::oldPrimary, 165));
        table.getColumns().add(column("LSN", SwitchPlan.GroupMove::oldLsn, 90));
        table.getColumns().add(column("New primary", SwitchPlan.GroupMove::newPrimary, 165));
        table.getColumns().add(column("LSN", SwitchPlan.GroupMove::newLsn, 90));
        TableColumn<SwitchPlan.GroupMove, String> lag = new TableColumn<>("Lag");
        lag.setCellValueFactory(m -> new javafx.beans.property.SimpleStringProperty(
                m.getValue().lagBytes() < 0 ? "-" : m.getValue().lagBytes() + " B"));
        lag.setPrefWidth(60);
        TableColumn<SwitchPlan.GroupMove, String> pause = new TableColumn<>("Pause");
        pause.setCellValueFactory(m -> new javafx.beans.property.SimpleStringProperty(
                m.getValue().expectedPauseMillis() < 0 ? "-" : m.getValue().oldPrimary().equals(m.getValue().newPrimary()) ? "none"
                        : "≈ " + m.getValue().expectedPauseMillis() / 1000.0 + " s"));
        pause.setPrefWidth(70);
        TableColumn<SwitchPlan.GroupMove, String> blocker = new TableColumn<>("Preflight");
        blocker.setCellValueFactory(m -> new javafx.beans.property.SimpleStringProperty(
                m.getValue().blocker() == null ? "ready" : m.getValue().blocker()));
        blocker.setPrefWidth(200);
        table.getColumns().add(lag);
        table.getColumns().add(pause);
        table.getColumns().add(blocker);
        table.setRowFactory(t -> new javafx.scene.control.TableRow<>() {
            @Override
            protected void updateItem(SwitchPlan.GroupMove item, boolean empty) {
                super.updateItem(item, empty);
                getStyleClass().remove("row-blocked");
                if (!empty && item != null && item.blocker() != null) {
                    getStyleClass().add("row-blocked");
                }
            }
        });
        table.setPrefHeight(320);
        VBox.setVgrow(table, Priority.ALWAYS);
        Label verdict = new Label(p.blocked()
                ? "The switch cannot start: " + p.blockers() + " Fix it and check again."
                : "Ready: " + p.groups().stream().filter(m -> !m.oldPrimary().equals(m.newPrimary())).count() + " group(s) move from "
                + p.from() + " to " + p.to() + ". Confirm to start.");
        verdict.setId("switch-verdict");
        verdict.setWrapText(true);
        verdict.getStyleClass().add(p.blocked() ? "field-error" : "outcome-ok");
        Button recheck = new Button("Check again");
        recheck.setId("switch-recheck");
        recheck.setOnAction(e -> vm.recheck());
        recheck.setVisible(p.blocked());
        recheck.setManaged(p.blocked());
        vm.planProperty().addListener((obs, old, now) -> {
            if (vm.pageProperty().get() == Page.PLAN) {
                show(Page.PLAN);
            }
        });
        return new VBox(10, table, verdict, recheck);
    }

    private static TableColumn<SwitchPlan.GroupMove, String> column(String title,
                                                                  java.util.function.Function<SwitchPlan.GroupMove, String> value, double width) {
        TableColumn<SwitchPlan.GroupMove, String> c = new TableColumn<>(title);
        c.setCellValueFactory(m -> new javafx.beans.property.SimpleStringProperty(value.apply(m.getValue())));
        c.setPrefWidth(width);
        return c;
    }

    private Node progress() {
        return new TaskProgressPane(vm.taskProperty(), "switch", "Switching");
    }
}
