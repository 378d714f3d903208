package org.idcguard.views.drills;

import java.util.List;
import javafx.animation.Animation;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.beans.value.ObservableStringValue;
import javafx.collections.FXCollections;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.chart.LineChart;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.XYChart;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Spinner;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.scene.shape.Rectangle;
import javafx.stage.FileChooser;
import javafx.util.Duration;
import org.idcguard.model.ClusterSummary;
import org.idcguard.model.DrillReport;
import org.idcguard.model.DrillRound;
import org.idcguard.views.common.Columns;
import org.idcguard.views.common.Formats;
import org.idcguard.views.common.Placeholders;
import org.idcguard.views.common.ScreenHeader;

/**
 * Drills: start a drill the manager runs (a fault on one IDC of a cluster, for some rounds), watch its round on the
 * failover timeline while the probe writes, then read the report: each round's figures, each group's step
 * durations, the trend of past drills, and exports to hand over.
 */
public final class DrillsView extends VBox {
    /** How often a running drill is asked for: the timeline moves at this pace. */
    static final Duration FOLLOW_EVERY = Duration.millis(500);
    private final DrillsViewModel vm;
    private final TimelineChart chart = new TimelineChart();
    private final Timeline follower;

    public DrillsView(DrillsViewModel vm) {
        this.vm = vm;
        getStyleClass().add("screen");
        setSpacing(10);
        chart.modelProperty().bind(vm.timelineProperty());
        ScrollPane chartScroll = new ScrollPane(chart);
        chartScroll.setFitToWidth(true);
        chartScroll.setId("drill-timeline-scroll");
        chartScroll.setPrefViewportHeight(300);
        VBox.setVgrow(chartScroll, Priority.ALWAYS);

        Label liveLine = new Label();
        liveLine.setId("drill-live");
        liveLine.getStyleClass().add("drill-live");
        liveLine.setWrapText(true);
        liveLine.textProperty().bind(vm.liveLineProperty());

        getChildren().addAll(new ScreenHeader("Drills", "Fail an IDC while a probe workload writes: the timeline and the report "
                + "show what an application saw, with RTO and RPO measured."), form(), liveLine, legend(), chartScroll, reportTabs());

        follower = new Timeline(new KeyFrame(FOLLOW_EVERY, e -> vm.refresh()));
        follower.setCycleCount(Animation.INDEFINITE);
        // polls only while the screen is shown: a hidden screen costs the manager nothing
        sceneProperty().addListener((o, was, now) -> {
            if (now == null) {
                follower.stop();
            } else {
                vm.refresh();
                follower.play();
            }
        });
    }

    public TimelineChart chart() {
        return chart;
    }

    private Node form() {
        ComboBox<String> cluster = new ComboBox<>();
        cluster.setId("drill-cluster");
        cluster.setPromptText("Cluster");
        Runnable names = () -> {
            String chosen = cluster.getValue();
            cluster.getItems().setAll(vm.inventory().clusters().stream().map(ClusterSummary::name).toList());
            cluster.setValue(chosen); // a refresh of the list keeps the DBA's choice
        };
        vm.inventory().clusters().addListener((javafx.collections.ListChangeListener<ClusterSummary>) c -> names.run());
        names.run();
        cluster.valueProperty().bindBidirectional(vm.clusterProperty());
        ComboBox<String> fault = new ComboBox<>(FXCollections.observableArrayList(DrillsViewModel.FAULTS));
        fault.setId("drill-fault");
        fault.valueProperty().bindBidirectional(vm.faultProperty());
        ComboBox<String> idc = new ComboBox<>();
        idc.setId("drill-idc");
        idc.setPromptText("IDC");
        vm.clusterProperty().addListener((o, was, now) -> {
            idc.getItems().setAll(vm.idcsOfCluster());
            if (!idc.getItems().isEmpty()) {
                idc.setValue(idc.getItems().get(0)); // the primary IDC: the drill that tests a takeover
            }
        });
        idc.valueProperty().bindBidirectional(vm.idcProperty());
        Spinner<Integer> rounds = new Spinner<>(1, 20, 1);
        rounds.setId("drill-rounds");
        rounds.setEditable(true);
        rounds.setPrefWidth(80);
        rounds.valueProperty().addListener((o, was, now) -> vm.roundsProperty().set(now == null ? 1 : now));
        Button start = new Button("Start drill");
        start.setId("drill-start");
        start.setDefaultButton(true);
        start.disableProperty().bind(vm.liveProperty().isNotNull());
        start.setOnAction(e -> vm.start());

        HBox row = new HBox(12, field("Cluster", cluster, vm.errors().of("cluster"), "drill-cluster"),
                field("Fault", fault, vm.errors().of("fault"), "drill-fault"), field("IDC", idc, vm.errors().of("idc"), "drill-idc"),
                field("Rounds", rounds, vm.errors().of("rounds"), "drill-rounds"), start);
        row.setAlignment(Pos.TOP_LEFT);
        start.setTranslateY(21); // level with the inputs, under their labels
        Label general = new Label();
        general.setId("drill-error");
        general.getStyleClass().add("field-error");
        general.textProperty().bind(vm.errors().general());
        return new VBox(4, row, general);
    }

    private static Node field(String label, Region input, ObservableStringValue error, String id) {
        Label name = new Label(label);
        name.setLabelFor(input);
        Label message = new Label();
        message.setId(id + "-error");
        message.getStyleClass().add("field-error");
        message.textProperty().bind(error);
        message.visibleProperty().bind(message.textProperty().isNotEmpty());
        message.managedProperty().bind(message.visibleProperty());
        input.setMinWidth(Region.USE_PREF_SIZE);
        return new VBox(3, name, input, message);
    }

    private static Node legend() {
        HBox legend = new HBox(14);
        legend.setId("drill-legend");
        legend.setAlignment(Pos.CENTER_LEFT);
        for (TimelineModel.Step step : TimelineModel.Step.values()) {
            Rectangle swatch = new Rectangle(12, 10, TimelineChart.STEP_COLORS.get(step));
            Label name = new Label(step.name().charAt(0) + step.name().substring(1).toLowerCase(java.util.Locale.ROOT));
            name.setMinWidth(Region.USE_PREF_SIZE);
            HBox item = new HBox(4, swatch, name);
            item.setAlignment(Pos.CENTER_LEFT);
            item.setMinWidth(Region.USE_PREF_SIZE);
            legend.getChildren().add(item);
        }
        Label help = new Label("Red line: fault, green: restore. Wheel zooms, drag pans, double-click fits; hover a marker for its event.");
        help.getStyleClass().add("hint");
        help.setMinWidth(0);
        legend.getChildren().add(help);
        return legend;
    }

    private Node reportTabs() {
        TabPane tabs = new TabPane(new Tab("Reports", reportsPane()), new Tab("Rounds", roundsTable()), new Tab("Groups", groupsTable()));
        tabs.setId("drill-tabs");
        tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        tabs.setPrefHeight(250);
        tabs.setMinHeight(200);
        return tabs;
    }

    private Node reportsPane() {
        TableView<DrillReport> table = new TableView<>(vm.reports());
        table.setId("drill-reports");
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.getColumns().add(Columns.text("#", r -> Long.toString(r.id()), 50));
        table.getColumns().add(Columns.text("Started", r -> Formats.time(r.startedMillis()), 150));
        table.getColumns().add(Columns.text("Cluster", DrillReport::cluster, 100));
        table.getColumns().add(Columns.text("Fault", r -> r.fault() + " of " + r.idc(), 140));
        table.getColumns().add(Columns.text("Rounds", r -> Integer.toString(r.rounds().size()), 60));
        table.getColumns().add(Columns.text("RTO median", r -> ms(r.medianRtoMillis()), 95));
        table.getColumns().add(Columns.text("RTO worst", r -> ms(r.worstRtoMillis()), 90));
        table.getColumns().add(Columns.text("RPO", r -> Long.toString(r.lostWrites()), 50));
        table.getColumns().add(Columns.text("Result", r -> r.passed() ? "passed" : "FAILED"));
        table.setPlaceholder(Placeholders.emptyState(vm.inventory().loadedProperty(), "No drills yet",
                "Start a drill above, or run ./idcguard drill: every report is kept here."));
        table.getSelectionModel().selectedItemProperty().addListener((o, was, now) -> vm.choose(now));

        ComboBox<Integer> round = new ComboBox<>();
        round.setId("drill-round");
        round.setPromptText("Round");
        vm.reportProperty().addListener((o, was, now) -> round.getItems().setAll(now == null ? List.of()
                : now.rounds().stream().map(DrillRound::round).toList()));
        round.valueProperty().bindBidirectional(vm.roundProperty());
        Label exported = new Label();
        exported.setId("drill-exported");
        exported.textProperty().bind(vm.exportedProperty());
        HBox actions = new HBox(8, new Label("Timeline of round"), round, exportButton("PNG", "png"), exportButton("CSV", "csv"),
                exportButton("JSON", "json"), exported);
        actions.setAlignment(Pos.CENTER_LEFT);
        VBox left = new VBox(6, actions, table);
        VBox.setVgrow(table, Priority.ALWAYS);
        HBox.setHgrow(left, Priority.ALWAYS);
        HBox pane = new HBox(10, left, trend());
        pane.setPadding(new Insets(6, 0, 0, 0));
        return pane;
    }

    private Button exportButton(String label, String extension) {
        Button b = new Button("Export " + label);
        b.setId("drill-export-" + extension);
        b.disableProperty().bind(vm.reportProperty().isNull());
        b.setOnAction(e -> {
            FileChooser chooser = new FileChooser();
            chooser.setTitle("Export drill report " + vm.reportProperty().get().id());
            chooser.setInitialFileName("drill-" + vm.reportProperty().get().id() + "." + extension);
            chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter(label, "*." + extension));
            java.io.File file = chooser.showSaveDialog(getScene().getWindow());
            if (file != null) {
                exportTo(file);
            }
        });
        return b;
    }

    /** Exports the chosen report to the file; a PNG is the timeline as it is drawn now. */
    public void exportTo(java.io.File file) {
        vm.export(file, chart.snapshot(null, null));
    }

    /** Worst RTO of each past drill, oldest to newest: is the recovery time getting better or worse? */
    private Node trend() {
        NumberAxis x = new NumberAxis();
        x.setLabel("drill #");
        x.setAutoRanging(false); // whole report numbers, one tick each, a margin either side even for one drill
        x.setLowerBound(0);
        x.setUpperBound(2);
        x.setTickUnit(1);
        x.setMinorTickVisible(false);
        x.setTickLabelFormatter(new javafx.util.StringConverter<>() {
            @Override
            public String toString(Number n) {
                return n.doubleValue() == Math.rint(n.doubleValue()) ? Long.toString(n.longValue()) : "";
            }

            @Override
            public Number fromString(String s) {
                return Long.parseLong(s);
            }
        });
        NumberAxis y = new NumberAxis();
        y.setLabel("worst RTO (ms)");
        LineChart<Number, Number> chart = new LineChart<>(x, y);
        chart.setId("drill-trend");
        chart.setTitle("RTO over time");
        chart.setLegendVisible(false);
        chart.setAnimated(false);
        chart.setPrefWidth(340);
        chart.setMinWidth(280);
        XYChart.Series<Number, Number> worst = new XYChart.Series<>();
        chart.getData().add(worst);
        vm.reports().addListener((javafx.collections.ListChangeListener<DrillReport>) c -> {
            worst.getData().setAll(vm.reports().stream().sorted(java.util.Comparator.comparingLong(DrillReport::id))
                    .map(r -> new XYChart.Data<Number, Number>(r.id(), r.worstRtoMillis())).toList());
            long low = vm.reports().stream().mapToLong(DrillReport::id).min().orElse(1);
            long high = vm.reports().stream().mapToLong(DrillReport::id).max().orElse(1);
            x.setLowerBound(low - 1);
            x.setUpperBound(high + 1);
            x.setTickUnit(Math.max(1, Math.ceil((high - low + 2) / 10.0)));
        });
        return chart;
    }

    private Node roundsTable() {
        TableView<DrillRound> table = new TableView<>();
        table.setId("drill-rounds-table");
        vm.reportProperty().addListener((o, was, now) -> table.getItems().setAll(now == null ? List.of() : now.rounds()));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.getColumns().add(Columns.text("Round", r -> Integer.toString(r.round()), 55));
        table.getColumns().add(Columns.text("IDC failed", DrillRound::idc, 75));
        table.getColumns().add(Columns.text("RTO", r -> ms(r.rtoMillis()), 75));
        table.getColumns().add(Columns.text("RPO", r -> Long.toString(r.rpo()), 40));
        table.getColumns().add(Columns.text("Takeover", r -> ms(r.takeoverMillis()), 80));
        table.getColumns().add(Columns.text("Writes flow", r -> ms(r.flowingMillis()), 85));
        table.getColumns().add(Columns.text("Rejoin", r -> ms(r.rejoinMillis()), 85));
        table.getColumns().add(Columns.text("Acked", r -> Long.toString(r.acked()), 55));
        table.getColumns().add(Columns.text("Errors", r -> Long.toString(r.errors()), 50));
        table.getColumns().add(Columns.text("Data check", DrillRound::dataCheck, 250));
        // a round starts only once the cluster is fully protected; after, it is when every node rejoined
        table.getColumns().add(Columns.text("Protection", r -> r.rejoinMillis() >= 0 ? "before and after" : "NOT after", 120));
        table.getColumns().add(Columns.text("Result", r -> r.passed() ? "passed" : "FAILED: " + r.problem()));
        return table;
    }

    private Node groupsTable() {
        TableView<TimelineModel.Row> table = new TableView<>();
        table.setId("drill-groups-table");
        vm.timelineProperty().addListener((o, was, now) -> table.getItems().setAll(now == null ? List.of()
                : now.rows().stream().filter(r -> !r.name().equals(TimelineModel.CLUSTER_ROW)).toList()));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.getColumns().add(Columns.text("Group", TimelineModel.Row::name, 110));
        for (TimelineModel.Step step : TimelineModel.Step.values()) {
            String name = step.name().charAt(0) + step.name().substring(1).toLowerCase(java.util.Locale.ROOT);
            table.getColumns().add(Columns.text(name, r -> r.bar(step).map(b -> ms(b.millis())).orElse("—"), 90));
        }
        table.getColumns().add(Columns.text("In doubt", TimelineModel.Row::inDoubtText, 150));
        table.getColumns().add(Columns.text("Events", r -> Integer.toString(r.markers().size())));
        table.setPlaceholder(new Label("Choose a report: each group's detect, fence, promote, repoint, resolve and rejoin times show here."));
        return table;
    }

    private static String ms(long millis) {
        return millis < 0 ? "—" : String.format("%,d ms", millis);
    }
}
