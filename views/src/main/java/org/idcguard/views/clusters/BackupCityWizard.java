package org.idcguard.views.clusters;

import java.util.EnumMap;
import java.util.Map;
import java.util.function.Function;
import javafx.beans.binding.Bindings;
import javafx.beans.property.SimpleStringProperty;
import javafx.collections.FXCollections;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import org.idcguard.model.DrPlan;
import org.idcguard.model.DrPromoteRequest;
import org.idcguard.views.clusters.BackupCityViewModel.Page;

/** Promote the backup city: preflight with the estimated loss per group, a typed confirmation, the promotion live. */
public final class BackupCityWizard extends Dialog<Void> {
    private static final Map<Page, String> TITLES = new EnumMap<>(Map.of(
            Page.PLAN, "Preflight and loss", Page.CONFIRM, "Confirm", Page.PROGRESS, "Progress"));
    private final BackupCityViewModel vm;
    private final WizardFrame frame;

    public BackupCityWizard(Window owner, BackupCityViewModel vm) {
        this.vm = vm;
        initOwner(owner);
        setTitle("Promote the backup city — " + vm.cluster().name());
        frame = new WizardFrame(this, "dr", vm::back, vm::next, 1140, 520);
        Button back = frame.back;
        Button next = frame.next;
        back.disableProperty().bind(vm.busyProperty().or(vm.pageProperty().isNotEqualTo(Page.CONFIRM)));
        next.disableProperty().bind(Bindings.createBooleanBinding(() -> vm.busyProperty().get() || !vm.canGoOn(),
                vm.busyProperty(), vm.pageProperty(), vm.planProperty(), vm.typedProperty()));
        next.textProperty().bind(Bindings.when(vm.pageProperty().isEqualTo(Page.CONFIRM)).then("Promote " + vm.cluster().drIdc()).otherwise("Next"));
        ButtonBar.setButtonUniformSize(next, false);
        next.setMinWidth(150);
        next.setDefaultButton(true);
        vm.pageProperty().addListener((obs, old, now) -> show(now));
        vm.planProperty().addListener((obs, old, now) -> {
            if (vm.pageProperty().get() == Page.PLAN) {
                show(Page.PLAN);
            }
        });
        show(vm.pageProperty().get());
        vm.check();
    }

    private void show(Page page) {
        frame.mark(java.util.Arrays.stream(Page.values()).map(TITLES::get).toList(), page.ordinal());
        Node content = switch (page) {
            case PLAN -> plan();
            case CONFIRM -> confirm();
            case PROGRESS -> new TaskProgressPane(vm.taskProperty(), "dr", "Promoting");
        };
        Label title = new Label(TITLES.get(page));
        title.getStyleClass().add("screen-title");
        Label general = new Label();
        general.setId("dr-error");
        general.getStyleClass().add("field-error");
        general.setWrapText(true);
        general.textProperty().bind(vm.messageProperty());
        VBox pane = new VBox(10, title, content, general);
        pane.setPadding(new Insets(4, 8, 8, 20));
        VBox.setVgrow(content, Priority.ALWAYS);
        frame.body.setCenter(pane);
    }

    private Node plan() {
        var c = vm.cluster();
        Label intro = new Label("Promoting " + c.drIdc() + " makes its standbys the primaries of " + c.name() + ". They receive the main "
                + "city's WAL asynchronously, so commits the main city acknowledged after the last WAL they received are lost. "
                + "Do this only when the main city (" + c.primaryIdc() + ", " + c.backupIdc() + ") is given up; whatever of it still "
                + "answers is stopped, and it rejoins as standbys when it returns.");
        intro.setWrapText(true);
        intro.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        javafx.scene.control.ToggleGroup modes = new javafx.scene.control.ToggleGroup();
        javafx.scene.control.RadioButton latest = new javafx.scene.control.RadioButton(
                "Latest: every group at the newest WAL it received (least loss; a transaction across shards may be cut)");
        latest.setId("dr-mode-latest");
        latest.setUserData(DrPromoteRequest.LATEST);
        javafx.scene.control.RadioButton consistent = new javafx.scene.control.RadioButton(
                "Consistent: every group at the newest restore point all received (a transaction across shards is whole or absent)");
        consistent.setId("dr-mode-consistent");
        consistent.setUserData(DrPromoteRequest.CONSISTENT);
        latest.setToggleGroup(modes);
        consistent.setToggleGroup(modes);
        modes.selectToggle(DrPromoteRequest.CONSISTENT.equals(vm.modeProperty().get()) ? consistent : latest);
        modes.selectedToggleProperty().addListener((obs, old, now) -> {
            if (now != null) {
                vm.modeProperty().set((String) now.getUserData());
            }
        });
        VBox modeBox = new VBox(6, latest, consistent);
        DrPlan p = vm.planProperty().get();
        if (p == null) {
            Label checking = new Label("Checking what each group's DR standby holds …");
            checking.getStyleClass().add("screen-subtitle");
            return new VBox(12, intro, modeBox, checking);
        }
        TableView<DrPlan.Move> table = new TableView<>(FXCollections.observableArrayList(p.groups()));
        table.setId("dr-plan");
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.getColumns().add(column("Group", DrPlan.Move::group, 100));
        table.getColumns().add(column("Old primary", DrPlan.Move::oldPrimary, 170));
        table.getColumns().add(column("DR standby", DrPlan.Move::candidate, 170));
        table.getColumns().add(column("Main city at", DrPlan.Move::lastKnownLsn, 105));
        table.getColumns().add(column(p.restorePoint() == null ? "DR at" : "Stops at", DrPlan.Move::candidateLsn, 105));
        table.getColumns().add(column("Loss", m -> m.lossBytes() < 0 ? "unknown" : bytes(m.lossBytes()), 90));
        table.getColumns().add(column("Commits lost", m -> m.lossMillis() < 0 ? "-" : m.lossMillis() == 0 ? "none"
                : String.format("up to %.1f s", m.lossMillis() / 1000.0), 120));
        table.setPrefHeight(260);
        VBox.setVgrow(table, Priority.ALWAYS);
        Label verdict = new Label(p.blocked() ? "The promotion cannot start: " + String.join(" ", p.blockers())
                : "Estimated loss: " + bytes(p.estimatedLossBytes()) + ", up to " + String.format("%.1f", p.estimatedLossMillis() / 1000.0)
                + " s of commits" + (p.restorePoint() == null ? "" : ", at restore point " + p.restorePoint()) + ". "
                + (p.unknownSentence().isEmpty() ? "" : p.unknownSentence() + " ")
                + (p.unseenMillis() > 0 ? p.unseenSentence() + " " : "") + "Next asks you to confirm.");
        verdict.setId("dr-verdict");
        verdict.setWrapText(true);
        verdict.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        verdict.getStyleClass().add(p.blocked() ? "field-error" : p.estimatedLossBytes() > 0 || p.unseenMillis() > 0
                || !p.unknownSentence().isEmpty() ? "outcome-warn" : "outcome-ok");
        Button recheck = new Button("Check again");
        recheck.setId("dr-recheck");
        recheck.setOnAction(e -> vm.check());
        return new VBox(10, intro, modeBox, table, verdict, recheck);
    }

    private Node confirm() {
        var c = vm.cluster();
        DrPlan p = vm.planProperty().get();
        Label what = new Label("You are about to promote " + c.drIdc() + " for " + c.name() + " (" + p.groups().size() + " groups). "
                + "Estimated loss: " + bytes(p.estimatedLossBytes()) + ", up to " + String.format("%.1f", p.estimatedLossMillis() / 1000.0)
                + " s of commits acknowledged by the main city. " + (p.unknownSentence().isEmpty() ? "" : p.unknownSentence() + " ")
                + (p.unseenMillis() > 0 ? p.unseenSentence() + " " : "") + "This cannot be undone; the way home afterwards is the IDC switch, "
                + "once the main city has rejoined.");
        what.setWrapText(true);
        what.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        what.getStyleClass().add("outcome-warn");
        Label ask = new Label("Type the cluster's name to confirm:");
        TextField name = new TextField();
        name.setId("dr-confirm-name");
        name.setPromptText(c.name());
        name.setMaxWidth(320);
        name.textProperty().bindBidirectional(vm.typedProperty());
        javafx.application.Platform.runLater(name::requestFocus);
        return new VBox(12, what, ask, name);
    }

    private static String bytes(long b) {
        return b < 1024 ? b + " B" : b < 1 << 20 ? String.format("%.1f KiB", b / 1024.0) : String.format("%.1f MiB", b / 1048576.0);
    }

    private static TableColumn<DrPlan.Move, String> column(String title, Function<DrPlan.Move, String> value, double width) {
        TableColumn<DrPlan.Move, String> col = new TableColumn<>(title);
        col.setCellValueFactory(m -> new SimpleStringProperty(value.apply(m.getValue())));
        col.setPrefWidth(width);
        return col;
    }
}
