package org.idcguard.views.clusters;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import javafx.beans.binding.Bindings;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.RadioButton;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Spinner;
import javafx.scene.control.TextField;
import javafx.scene.control.ToggleGroup;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import javafx.util.StringConverter;
import org.idcguard.model.ClusterPlan;
import org.idcguard.model.Computer;
import org.idcguard.model.Idc;
import org.idcguard.views.clusters.ClusterWizardViewModel.Page;
import org.idcguard.views.common.FormLayout;
import org.idcguard.views.common.Formats;

/** The create-cluster wizard: the pages on the left, the current page in the middle, Back / Next / Confirm below. */
public final class ClusterWizard extends Dialog<Void> {
    private static final Map<Page, String> TITLES = new EnumMap<>(Map.of(
            Page.BUSINESS, "Business", Page.PURCHASE, "Purchase type", Page.CITY, "City and IDCs",
            Page.COMPUTERS, "Computers", Page.CONFIGURATION, "Configuration", Page.OVERVIEW, "Overview",
            Page.PROGRESS, "Progress"));
    private final ClusterWizardViewModel vm;
    private final WizardFrame frame;

    public ClusterWizard(Window owner, ClusterWizardViewModel vm) {
        this.vm = vm;
        initOwner(owner);
        setTitle("Create cluster");
        frame = new WizardFrame(this, "wizard", vm::back, vm::next, 860, 540);
        Button back = frame.back;
        Button next = frame.next;
        back.disableProperty().bind(vm.busyProperty().or(vm.pageProperty().isEqualTo(Page.BUSINESS))
                .or(vm.pageProperty().isEqualTo(Page.PROGRESS)));
        next.disableProperty().bind(vm.busyProperty().or(vm.pageProperty().isEqualTo(Page.PROGRESS)));
        next.textProperty().bind(Bindings.when(vm.pageProperty().isEqualTo(Page.OVERVIEW)).then("Confirm").otherwise("Next"));
        vm.pageProperty().addListener((obs, old, now) -> show(now));
        show(vm.pageProperty().get());
    }

    private void show(Page page) {
        frame.mark(java.util.Arrays.stream(Page.values()).map(TITLES::get).toList(), page.ordinal());
        Node content = switch (page) {
            case BUSINESS -> business();
            case PURCHASE -> purchase();
            case CITY -> city();
            case COMPUTERS -> computers();
            case CONFIGURATION -> configuration();
            case OVERVIEW -> overview();
            case PROGRESS -> progress();
        };
        Label title = new Label(TITLES.get(page));
        title.getStyleClass().add("screen-title");
        Label general = new Label();
        general.setId("wizard-error");
        general.getStyleClass().add("field-error");
        general.setWrapText(true);
        general.textProperty().bind(vm.errors().general());
        VBox page0 = new VBox(10, title, content, general);
        page0.setPadding(new Insets(4, 8, 8, 20));
        VBox.setVgrow(content, Priority.ALWAYS);
        frame.body.setCenter(page0);
    }

    private Node business() {
        TextField name = new TextField();
        name.setPromptText("e.g. IDC_Cluster");
        name.textProperty().bindBidirectional(vm.nameProperty());
        Label type = new Label("IDC cluster");
        type.setId("cluster-type");
        javafx.application.Platform.runLater(name::requestFocus);
        return new FormLayout()
                .field("Business name", "cluster-name", name, vm.errors().of("name"))
                .field("Cluster type", "cluster-type-value", type, vm.errors().of("kind"))
                .build();
    }

    private Node purchase() {
        ToggleGroup group = new ToggleGroup();
        RadioButton intra = new RadioButton("Intra-city: a primary and a backup IDC of one city, synchronous replication between them");
        intra.setId("purchase-intra-city");
        intra.setToggleGroup(group);
        intra.setSelected(true);
        RadioButton cross = new RadioButton("Cross-city: IDCs in two cities (not available yet)");
        cross.setToggleGroup(group);
        cross.setDisable(true);
        return new VBox(10, intra, cross);
    }

    private Node city() {
        ComboBox<String> city = new ComboBox<>();
        city.getItems().setAll(vm.cities());
        city.setPromptText(vm.cities().isEmpty() ? "No city has two IDCs yet" : "Choose a city");
        city.valueProperty().bindBidirectional(vm.cityProperty());
        ComboBox<Idc> primary = idcChoice();
        ComboBox<Idc> backup = idcChoice();
        primary.valueProperty().bindBidirectional(vm.primaryIdcProperty());
        backup.valueProperty().bindBidirectional(vm.backupIdcProperty());
        Runnable fill = () -> {
            primary.getItems().setAll(vm.idcsOfCity());
            backup.getItems().setAll(vm.idcsOfCity());
        };
        fill.run();
        city.valueProperty().addListener((obs, old, now) -> fill.run());
        city.setMaxWidth(Double.MAX_VALUE);
        return new FormLayout()
                .field("City", "cluster-city", city, vm.errors().of("city"))
                .field("Primary IDC", "cluster-primary-idc", primary, vm.errors().of("primaryIdc"))
                .field("Backup IDC", "cluster-backup-idc", backup, vm.errors().of("backupIdc"))
                .build();
    }

    private static ComboBox<Idc> idcChoice() {
        ComboBox<Idc> box = new ComboBox<>();
        box.setMaxWidth(Double.MAX_VALUE);
        box.setConverter(new StringConverter<>() {
            @Override
            public String toString(Idc idc) {
                return idc == null ? "" : idc.name() + "  (" + idc.province() + " / " + idc.city() + ")";
            }

            @Override
            public Idc fromString(String s) {
                return null;
            }
        });
        return box;
    }

    private Node computers() {
        VBox boxes = new VBox(6);
        for (Computer c : vm.candidateComputers()) {
            boolean usable = c.status() == org.idcguard.model.ComputerStatus.REACHABLE && c.facts().hasPostgres();
            CheckBox box = new CheckBox(c.idc() + "   " + c.address() + "   " + c.facts().cpus() + " CPU, "
                    + Formats.bytes(c.facts().memoryBytes()) + (usable ? "" : "   (unreachable or without PostgreSQL)"));
            box.setId("use-" + c.address().replace('.', '-'));
            box.setDisable(!usable);
            box.setSelected(vm.chosenComputers().contains(c.address()));
            box.selectedProperty().addListener((obs, was, now) -> {
                if (now) {
                    vm.chosenComputers().add(c.address());
                } else {
                    vm.chosenComputers().remove(c.address());
                }
            });
            boxes.getChildren().add(box);
        }
        Label placementTitle = new Label("Suggested placement");
        placementTitle.getStyleClass().add("section-title");
        Label error = new Label();
        error.setId("cluster-computers-error");
        error.getStyleClass().add("field-error");
        error.setWrapText(true);
        error.textProperty().bind(vm.errors().of("computers"));
        VBox content = new VBox(8, boxes, error, placementTitle, placement(vm.planProperty().get()));
        ScrollPane scroll = new ScrollPane(content);
        scroll.setFitToWidth(true);
        return scroll;
    }

    /** A grid: one row per group, one column per IDC, each cell listing that group's nodes there (primary first). */
    static Node placement(ClusterPlan plan) {
        javafx.scene.layout.GridPane grid = new javafx.scene.layout.GridPane();
        grid.setId("placement");
        grid.getStyleClass().add("placement-grid");
        grid.setHgap(18);
        grid.setVgap(6);
        if (plan == null) {
            grid.add(new Label("The placement appears once the manager has checked the choice."), 0, 0);
            return grid;
        }
        List<String> idcs = List.of(plan.request().primaryIdc(), plan.request().backupIdc());
        grid.add(header("Group"), 0, 0);
        for (int i = 0; i < idcs.size(); i++) {
            grid.add(header(idcs.get(i) + (i == 0 ? "  (primary IDC)" : "  (backup IDC)")), i + 1, 0);
        }
        int row = 1;
        for (String group : plan.groups()) {
            grid.add(new Label(group), 0, row);
            for (int i = 0; i < idcs.size(); i++) {
                String idc = idcs.get(i);
                VBox cell = new VBox(2);
                plan.nodes().stream().filter(n -> n.group().equals(group) && n.idc().equals(idc)).forEach(n -> {
                    Label node = new Label((n.role().equals("primary") ? "★ primary  " : "standby  ") + n.address() + ":" + n.port());
                    node.getStyleClass().add(n.role().equals("primary") ? "placement-primary" : "placement-standby");
                    cell.getChildren().add(node);
                });
                grid.add(cell, i + 1, row);
            }
            row++;
        }
        return grid;
    }

    private static Label header(String text) {
        Label l = new Label(text);
        l.getStyleClass().add("section-title");
        return l;
    }

    private Node configuration() {
        Spinner<Integer> shards = new Spinner<>(1, 32, vm.shardsProperty().get());
        shards.setEditable(true);
        shards.valueProperty().addListener((obs, old, now) -> vm.shardsProperty().set(now));
        Spinner<Integer> nodes = new Spinner<>(1, 4, vm.nodesPerIdcProperty().get());
        nodes.setEditable(true);
        nodes.valueProperty().addListener((obs, old, now) -> vm.nodesPerIdcProperty().set(now));
        TextField database = new TextField();
        database.textProperty().bindBidirectional(vm.databaseProperty());
        TextField user = new TextField();
        user.textProperty().bindBidirectional(vm.appUserProperty());
        ComboBox<String> policy = new ComboBox<>();
        policy.getItems().setAll("available", "strict");
        policy.valueProperty().bindBidirectional(vm.syncPolicyProperty());
        TextField clients = new TextField();
        clients.setPromptText("e.g. 10.77.8.0/24, 10.77.9.0/24");
        clients.textProperty().bindBidirectional(vm.clientsProperty());
        Label hint = new Label("available: when the other IDC is lost, commits wait only for local standbys and an alert is raised; "
                + "strict: commits wait until the other IDC is back. Client networks: where applications connect from; "
                + "nothing else gets in but the cluster's computers and the managers.");
        hint.getStyleClass().add("empty-hint");
        hint.setWrapText(true);
        return new VBox(8, new FormLayout()
                .field("Storage shards", "cluster-shards", shards, vm.errors().of("shards"))
                .field("Nodes per IDC", "cluster-nodes-per-idc", nodes, vm.errors().of("nodesPerIdc"))
                .field("Database", "cluster-database", database, vm.errors().of("database"))
                .field("Application user", "cluster-app-user", user, vm.errors().of("appUser"))
                .field("Sync policy", "cluster-sync-policy", policy, vm.errors().of("syncPolicy"))
                .field("Client networks", "cluster-clients", clients, vm.errors().of("clients"))
                .build(), hint);
    }

    private Node overview() {
        var r = vm.request();
        ClusterPlan plan = vm.planProperty().get();
        VBox box = new VBox(6,
                line("Business name", r.name()), line("Type", "IDC cluster, intra-city"), line("City", r.city()),
                line("Primary IDC", r.primaryIdc()), line("Backup IDC", r.backupIdc()),
                line("Groups", "coordinator + " + r.shardsOrDefault() + " storage shards, " + r.nodesPerIdcOrDefault()
                        + " nodes per IDC each (" + (plan == null ? "?" : plan.nodes().size()) + " PostgreSQL instances)"),
                line("Replication", "every commit waits until one standby in " + r.backupIdc() + " has it; standbys in "
                        + r.primaryIdc() + " stream asynchronously"),
                line("Database / user", r.databaseOrDefault() + " / " + r.appUserOrDefault()),
                line("Sync policy", r.syncPolicyOrDefault()),
                line("Client networks", r.clientsOrEmpty().isEmpty() ? "none: only the cluster's computers and the managers"
                        : String.join(", ", r.clientsOrEmpty())));
        Label placementTitle = new Label("Placement");
        placementTitle.getStyleClass().add("section-title");
        box.getChildren().addAll(placementTitle, placement(plan));
        box.setId("overview");
        ScrollPane scroll = new ScrollPane(box);
        scroll.setFitToWidth(true);
        return scroll;
    }

    private static Node line(String key, String value) {
        Label k = new Label(key);
        k.setMinWidth(130);
        k.getStyleClass().add("overview-key");
        Label v = new Label(value);
        v.setWrapText(true);
        return new HBox(10, k, v);
    }

    private Node progress() {
        return new TaskProgressPane(vm.taskProperty(), "wizard", "Creating");
    }
}
