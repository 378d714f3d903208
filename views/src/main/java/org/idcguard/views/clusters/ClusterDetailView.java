package org.idcguard.views.clusters;

import javafx.beans.binding.Bindings;
import javafx.animation.Timeline;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TextField;
import javafx.scene.input.ClipboardContent;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.util.Duration;
import org.idcguard.model.ClusterDetail;
import org.idcguard.views.common.MessageBar;
import org.idcguard.views.common.Polling;

/** A cluster: its summary, the live topology graph, the URIs with copy buttons, the IDC switch, and delete. */
public final class ClusterDetailView extends VBox {
    private final ClusterDetailViewModel vm;
    private final Label title = new Label();
    private final Label summary = new Label();
    private final TopologyGraph graph = new TopologyGraph();
    private final TextField libpq = uriField("uri-libpq");
    private final TextField jdbc = uriField("uri-jdbc");
    /** The URIs as the manager gave them; the fields show them masked until the DBA asks to see the password. */
    private String libpqUri = "";
    private String jdbcUri = "";
    private final javafx.scene.control.ToggleButton reveal = new javafx.scene.control.ToggleButton("Show password");
    private final Timeline poller;

    public ClusterDetailView(ClusterDetailViewModel vm, Runnable back) {
        this.vm = vm;
        getStyleClass().add("screen");
        setSpacing(10);
        Button backButton = new Button("← Clusters");
        backButton.getStyleClass().add("flat");
        backButton.setOnAction(e -> back.run());
        Button delete = new Button("Delete cluster");
        delete.setId("delete-cluster");
        delete.getStyleClass().add("danger");
        delete.setOnAction(e -> confirmDelete());
        delete.disableProperty().bind(vm.deletionProperty().isNotNull());
        Button idcSwitch = new Button("IDC Switch…");
        idcSwitch.setId("idc-switch");
        idcSwitch.setOnAction(e -> openSwitch());
        idcSwitch.disableProperty().bind(vm.detailProperty().isNull().or(vm.deletionProperty().isNotNull()));
        Button backupCity = new Button("Promote backup city…");
        backupCity.setId("dr-promote");
        backupCity.getStyleClass().add("danger");
        backupCity.setOnAction(e -> openBackupCity());
        // shown for a cluster with a DR IDC; usable while its primaries are in the main city
        backupCity.visibleProperty().bind(Bindings.createBooleanBinding(() -> vm.detailProperty().get() != null
                && vm.detailProperty().get().summary().hasDr(), vm.detailProperty()));
        backupCity.managedProperty().bind(backupCity.visibleProperty());
        backupCity.disableProperty().bind(Bindings.createBooleanBinding(() -> vm.detailProperty().get() == null
                || vm.deletionProperty().get() != null || !vm.detailProperty().get().summary().hasDr()
                || vm.detailProperty().get().summary().drIdc().equals(vm.detailProperty().get().summary().primaryIdc()),
                vm.detailProperty(), vm.deletionProperty()));
        Button addDr = new Button("Add DR city…");
        addDr.setId("dr-add");
        addDr.setOnAction(e -> {
            ClusterDetail now = vm.detailProperty().get();
            if (now != null) {
                new AddDrCityDialog(getScene().getWindow(), vm.inventory(), now.summary(), vm).show();
            }
        });
        // offered for a running cluster without a DR city; one with a DR city shows "Promote backup city…" instead
        addDr.visibleProperty().bind(Bindings.createBooleanBinding(() -> vm.detailProperty().get() != null
                && !vm.detailProperty().get().summary().hasDr(), vm.detailProperty()));
        addDr.managedProperty().bind(addDr.visibleProperty());
        addDr.disableProperty().bind(vm.deletionProperty().isNotNull());
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        title.getStyleClass().add("screen-title");
        title.setText("Cluster " + vm.name());
        summary.getStyleClass().add("screen-subtitle");
        summary.setId("cluster-summary");
        summary.setWrapText(true);
        HBox top = new HBox(12, backButton, title, spacer, idcSwitch, addDr, backupCity, delete);
        top.setAlignment(javafx.geometry.Pos.CENTER_LEFT);

        HBox legend = new HBox(14, swatch("role-primary", "primary"), swatch("role-standby", "standby"), swatch("role-down", "down"),
                line("edge-sync", "synchronous"), line("edge-async", "asynchronous"), line("edge-broken", "not streaming"));
        legend.getStyleClass().add("topology-legend");
        legend.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        ScrollPane graphScroll = new ScrollPane(graph);
        graphScroll.getStyleClass().add("topology-scroll");
        VBox.setVgrow(graphScroll, Priority.ALWAYS);

        reveal.setId("reveal-uris");
        reveal.setTooltip(new javafx.scene.control.Tooltip("An admin may see the application's password; the manager records who "
                + "saw it and why."));
        reveal.selectedProperty().addListener((o, was, shown) -> {
            reveal.setText(shown ? "Hide password" : "Show password");
            if (shown) {
                vm.reveal(() -> reveal.setSelected(false));
            } else {
                vm.hide();
            }
        });
        vm.revealedProperty().addListener((o, was, now) -> showUris());
        HBox revealRow = new HBox(reveal);
        revealRow.setAlignment(javafx.geometry.Pos.CENTER_RIGHT);
        VBox uris = new VBox(6, uriRow("libpq", libpq, libpq::getText), uriRow("JDBC", jdbc, jdbc::getText), revealRow, clientsRow());
        getChildren().addAll(top, summary, new MessageBar("cluster-message", vm.messageProperty()), legend, graphScroll, uris);

        vm.detailProperty().addListener((obs, old, now) -> show(now));
        poller = Polling.whileShown(this, Duration.seconds(2), vm::refresh);
        vm.loadClients();
    }

    /**
     * The networks applications connect from: each a chip with a remove button, a field to add one, and the manager's
     * refusal beside the field.
     */
    private HBox clientsRow() {
        Label l = new Label("Clients");
        l.setMinWidth(50);
        javafx.scene.layout.FlowPane chips = new javafx.scene.layout.FlowPane(6, 4);
        chips.setId("cluster-clients");
        Runnable redraw = () -> {
            chips.getChildren().clear();
            if (vm.clients().isEmpty()) {
                Label none = new Label("none: only the cluster's computers and the managers get in");
                none.getStyleClass().add("screen-subtitle");
                chips.getChildren().add(none);
            }
            for (String cidr : vm.clients()) {
                Button remove = new Button("✕");
                remove.getStyleClass().add("flat");
                remove.setId("remove-client-" + cidr.replaceAll("[^0-9a-fA-F]", "-")); // a selector-safe id
                remove.setOnAction(e -> vm.removeClient(cidr));
                remove.disableProperty().bind(vm.clientsBusyProperty());
                HBox chip = new HBox(2, new Label(cidr), remove);
                chip.getStyleClass().add("client-chip");
                chip.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
                chips.getChildren().add(chip);
            }
        };
        vm.clients().addListener((javafx.collections.ListChangeListener<String>) c -> redraw.run());
        redraw.run();
        TextField add = new TextField();
        add.setId("add-client");
        add.setPromptText("network, e.g. 10.77.8.0/24");
        add.setPrefColumnCount(16);
        Button addButton = new Button("Let in");
        addButton.setId("add-client-button");
        addButton.setMinWidth(Region.USE_PREF_SIZE);
        add.setMinWidth(Region.USE_PREF_SIZE);
        addButton.disableProperty().bind(vm.clientsBusyProperty().or(add.textProperty().isEmpty()));
        Runnable submit = () -> {
            vm.addClient(add.getText());
        };
        addButton.setOnAction(e -> submit.run());
        add.setOnAction(e -> submit.run());
        vm.clients().addListener((javafx.collections.ListChangeListener<String>) c -> add.clear());
        Label error = new Label();
        error.setId("clients-error");
        error.getStyleClass().add("field-error");
        error.textProperty().bind(vm.clientsErrorProperty());
        error.setWrapText(true);
        error.setMaxWidth(420);
        HBox.setHgrow(chips, Priority.ALWAYS);
        HBox row = new HBox(8, l, chips, add, addButton, error);
        row.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        return row;
    }

    private void show(ClusterDetail d) {
        if (d == null) {
            return;
        }
        var s = d.summary();
        summary.setText(s.kind() + " cluster in " + s.city() + "  ·  primary IDC " + s.primaryIdc() + ", backup IDC " + s.backupIdc()
                + (s.hasDr() && !s.drIdc().equals(s.primaryIdc()) ? ", DR IDC " + s.drIdc() + " (asynchronous)" : "")
                + "  ·  " + s.status() + "  ·  coordinator + " + s.shards() + " shards, " + s.nodesPerIdc() + (s.nodesPerIdc() == 1 ? " node per IDC" : " nodes per IDC")
                + "  ·  database " + d.database() + ", user " + d.appUser() + ", sync policy " + d.syncPolicy());
        graph.show(d, vm.managers());
        libpqUri = d.uris().libpq();
        jdbcUri = d.uris().jdbc();
        showUris();
    }

    private static HBox swatch(String roleClass, String text) {
        Label chip = new Label("");
        chip.getStyleClass().addAll("node-chip", roleClass);
        chip.setMinSize(14, 14);
        chip.setPrefSize(14, 14);
        HBox box = new HBox(5, chip, new Label(text));
        box.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        return box;
    }

    private static HBox line(String edgeClass, String text) {
        javafx.scene.shape.Line sample = new javafx.scene.shape.Line(0, 0, 26, 0);
        sample.getStyleClass().addAll("replication-edge", edgeClass);
        HBox box = new HBox(5, sample, new Label(text));
        box.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        return box;
    }

    private static TextField uriField(String id) {
        TextField field = new TextField();
        field.setId(id);
        field.setEditable(false);
        HBox.setHgrow(field, Priority.ALWAYS);
        return field;
    }

    /**
     * Shows the URIs masked ({@link UriSecrets}) unless an admin asked to see the password, which the manager recorded.
     * (A viewer's detail comes with it masked already.)
     */
    private void showUris() {
        var shown = vm.revealedProperty().get();
        libpq.setText(shown != null ? shown.libpq() : org.idcguard.model.UriSecrets.mask(libpqUri));
        jdbc.setText(shown != null ? shown.jdbc() : org.idcguard.model.UriSecrets.mask(jdbcUri));
    }

    /** A URI's row: the field, and Copy, which copies the URI as shown: whole once the password was revealed. */
    private static HBox uriRow(String label, TextField field, java.util.function.Supplier<String> whole) {
        Label l = new Label(label);
        l.setMinWidth(50);
        Button copy = new Button("Copy");
        copy.setId("copy-" + field.getId());
        copy.setOnAction(e -> {
            ClipboardContent content = new ClipboardContent();
            content.putString(whole.get());
            javafx.scene.input.Clipboard.getSystemClipboard().setContent(content);
            copy.setText("Copied");
        });
        HBox row = new HBox(8, l, field, copy);
        row.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        return row;
    }

    private void openSwitch() {
        IdcSwitchViewModel wizard = vm.switchWizard();
        if (wizard == null) {
            return;
        }
        wizard.onDone(t -> vm.refresh());
        IdcSwitchWizard dialog = new IdcSwitchWizard(getScene().getWindow(), wizard);
        dialog.show();
    }

    private void openBackupCity() {
        BackupCityViewModel wizard = vm.backupCityWizard();
        if (wizard == null) {
            return;
        }
        wizard.onDone(t -> vm.refresh());
        new BackupCityWizard(getScene().getWindow(), wizard).show();
    }

    private void confirmDelete() {
        Alert confirm = new Alert(Alert.AlertType.CONFIRMATION, "Every node of " + vm.name()
                + " is stopped and its data directory removed. Applications lose this database.", ButtonType.OK, ButtonType.CANCEL);
        confirm.initOwner(getScene().getWindow());
        confirm.setHeaderText("Delete cluster " + vm.name() + " and all its data?");
        confirm.showAndWait().filter(ButtonType.OK::equals).ifPresent(b -> vm.delete());
    }

    public void stopPolling() {
        poller.stop();
    }
}
