package org.idcguard.views.clusters;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.idcguard.model.ClusterPlan;
import org.idcguard.model.ClusterRequest;
import org.idcguard.model.Computer;
import org.idcguard.model.ComputerStatus;
import org.idcguard.model.Idc;
import org.idcguard.model.InvalidInput;
import org.idcguard.model.Names;
import org.idcguard.model.TaskView;
import org.idcguard.views.common.FieldErrors;
import org.idcguard.views.common.Inventory;
import org.idcguard.views.common.TaskFollower;

/**
 * The create-cluster wizard in the order a DBA knows from XPanel: business name and type, purchase type,
 * city and IDCs, computers (a suggested placement), configuration, overview, confirm, progress.
 * Each page is checked before Next; the manager's dry run checks the whole request before the overview.
 */
public final class ClusterWizardViewModel {
    public enum Page { BUSINESS, PURCHASE, CITY, COMPUTERS, CONFIGURATION, OVERVIEW, PROGRESS }

    private final Inventory inventory;
    private final ObjectProperty<Page> page = new SimpleObjectProperty<>(Page.BUSINESS);
    private final StringProperty name = new SimpleStringProperty("");
    private final StringProperty city = new SimpleStringProperty();
    private final ObjectProperty<Idc> primaryIdc = new SimpleObjectProperty<>();
    private final ObjectProperty<Idc> backupIdc = new SimpleObjectProperty<>();
    private final ObservableList<String> chosenComputers = FXCollections.observableArrayList();
    private final IntegerProperty shards = new SimpleIntegerProperty(ClusterRequest.DEFAULT_SHARDS);
    private final IntegerProperty nodesPerIdc = new SimpleIntegerProperty(ClusterRequest.DEFAULT_NODES_PER_IDC);
    private final StringProperty database = new SimpleStringProperty("app");
    private final StringProperty appUser = new SimpleStringProperty("app");
    private final StringProperty syncPolicy = new SimpleStringProperty("available");
    /** The applications' networks as typed: CIDRs separated by commas or spaces. */
    private final StringProperty clients = new SimpleStringProperty("");
    private final ObjectProperty<ClusterPlan> plan = new SimpleObjectProperty<>();
    private final ObjectProperty<TaskView> task = new SimpleObjectProperty<>();
    private final BooleanProperty busy = new SimpleBooleanProperty(false);
    private final FieldErrors errors = new FieldErrors("name", "kind", "city", "primaryIdc", "backupIdc", "computers",
            "shards", "nodesPerIdc", "database", "appUser", "syncPolicy", "clients");

    public ClusterWizardViewModel(Inventory inventory) {
        this.inventory = inventory;
        city.addListener((obs, old, now) -> {
            primaryIdc.set(null);
            backupIdc.set(null);
        });
        primaryIdc.addListener((obs, old, now) -> resetComputers());
        backupIdc.addListener((obs, old, now) -> resetComputers());
    }

    public ObjectProperty<Page> pageProperty() { return page; }
    public StringProperty nameProperty() { return name; }
    public StringProperty cityProperty() { return city; }
    public ObjectProperty<Idc> primaryIdcProperty() { return primaryIdc; }
    public ObjectProperty<Idc> backupIdcProperty() { return backupIdc; }
    public ObservableList<String> chosenComputers() { return chosenComputers; }
    public IntegerProperty shardsProperty() { return shards; }
    public IntegerProperty nodesPerIdcProperty() { return nodesPerIdc; }
    public StringProperty databaseProperty() { return database; }
    public StringProperty appUserProperty() { return appUser; }
    public StringProperty syncPolicyProperty() { return syncPolicy; }
    public StringProperty clientsProperty() { return clients; }
    public ObjectProperty<ClusterPlan> planProperty() { return plan; }
    public ObjectProperty<TaskView> taskProperty() { return task; }
    public BooleanProperty busyProperty() { return busy; }
    public FieldErrors errors() { return errors; }

    /** Cities that have at least two IDCs: only there can an intra-city cluster stand. */
    public List<String> cities() {
        Set<String> cities = new LinkedHashSet<>();
        for (Idc idc : inventory.idcs()) {
            if (inventory.idcs().stream().filter(other -> other.city().equals(idc.city())).count() >= 2) {
                cities.add(idc.city());
            }
        }
        return new ArrayList<>(cities);
    }

    public List<Idc> idcsOfCity() {
        return inventory.idcs().stream().filter(i -> i.city().equals(city.get())).toList();
    }

    /** The computers bound to one of the two chosen IDCs. */
    public List<Computer> candidateComputers() {
        return inventory.computers().stream().filter(c -> c.idc() != null && (isIdc(c.idc(), primaryIdc.get()) || isIdc(c.idc(), backupIdc.get())))
                .toList();
    }

    private static boolean isIdc(String name, Idc idc) {
        return idc != null && idc.name().equals(name);
    }

    private void resetComputers() {
        chosenComputers.setAll(candidateComputers().stream()
                .filter(c -> c.status() == ComputerStatus.REACHABLE && c.facts().hasPostgres()).map(Computer::address).toList());
        plan.set(null);
    }

    public ClusterRequest request() {
        return new ClusterRequest(name.get().strip(), ClusterRequest.INTRA_CITY, city.get(),
                primaryIdc.get() == null ? null : primaryIdc.get().name(), backupIdc.get() == null ? null : backupIdc.get().name(),
                shards.get(), nodesPerIdc.get(), List.copyOf(chosenComputers), database.get(), appUser.get(), syncPolicy.get(),
                java.util.Arrays.stream(clients.get() == null ? new String[0] : clients.get().split("[,\\s]+"))
                        .filter(s -> !s.isBlank()).toList());
    }

    /** Checks the current page and moves on; pages that need the manager's opinion ask it in the background. */
    public void next() {
        Optional<InvalidInput> problem = check(page.get());
        if (problem.isPresent()) {
            errors.show(problem.get().field(), problem.get().getMessage());
            return;
        }
        errors.clear();
        switch (page.get()) {
            case CITY, CONFIGURATION -> askForPlan(page.get() == Page.CITY ? Page.COMPUTERS : Page.OVERVIEW);
            case COMPUTERS -> askForPlan(Page.CONFIGURATION);
            case OVERVIEW -> confirm();
            default -> page.set(Page.values()[page.get().ordinal() + 1]);
        }
    }

    public void back() {
        errors.clear();
        if (page.get().ordinal() > 0 && page.get() != Page.PROGRESS) {
            page.set(Page.values()[page.get().ordinal() - 1]);
        }
    }

    private Optional<InvalidInput> check(Page p) {
        try {
            switch (p) {
                case BUSINESS -> {
                    Names.check("name", "A cluster name", name.get() == null ? null : name.get().strip());
                    if (inventory.clusters().stream().anyMatch(c -> c.name().equalsIgnoreCase(name.get().strip()))) {
                        throw new InvalidInput("name", "A cluster named " + name.get().strip() + " already exists.");
                    }
                }
                case CITY -> {
                    if (city.get() == null) {
                        throw new InvalidInput("city", cities().isEmpty()
                                ? "No city has two IDCs yet: add them under Data Centers first." : "Choose the city of the cluster.");
                    }
                    if (primaryIdc.get() == null) {
                        throw new InvalidInput("primaryIdc", "Choose the primary IDC.");
                    }
                    if (backupIdc.get() == null) {
                        throw new InvalidInput("backupIdc", "Choose the backup IDC.");
                    }
                    if (primaryIdc.get().equals(backupIdc.get())) {
                        throw new InvalidInput("backupIdc", "The backup IDC must differ from the primary IDC.");
                    }
                }
                case COMPUTERS -> {
                    if (chosenComputers.isEmpty()) {
                        throw new InvalidInput("computers", "Tick the computers to place the nodes on.");
                    }
                }
                default -> { }
            }
            return Optional.empty();
        } catch (InvalidInput e) {
            return Optional.of(e);
        }
    }

    /** The manager's dry run: the suggested placement, or its refusal shown next to the field it names. */
    private void askForPlan(Page onSuccess) {
        busy.set(true);
        ClusterRequest request = request();
        inventory.background().run("Planning " + request.name(), () -> inventory.api().planCluster(request), planned -> {
            busy.set(false);
            plan.set(planned);
            page.set(onSuccess);
        }, failure -> {
            busy.set(false);
            errors.show(failure, fieldsOn(page.get()));
        });
    }

    /** The inputs a page shows, by the API's field names. */
    static java.util.Set<String> fieldsOn(Page p) {
        return switch (p) {
            case BUSINESS -> java.util.Set.of("name", "kind");
            case CITY -> java.util.Set.of("city", "primaryIdc", "backupIdc");
            case COMPUTERS -> java.util.Set.of("computers");
            case CONFIGURATION -> java.util.Set.of("shards", "nodesPerIdc", "database", "appUser", "syncPolicy", "clients");
            default -> java.util.Set.of();
        };
    }

    private void confirm() {
        busy.set(true);
        ClusterRequest request = request();
        inventory.background().run("Creating " + request.name(), () -> inventory.api().createCluster(request), started -> {
            busy.set(false);
            task.set(started);
            page.set(Page.PROGRESS);
            TaskFollower.follow(inventory, started.id(), task::set);
        }, failure -> {
            busy.set(false);
            errors.show(failure, fieldsOn(page.get()));
        });
    }

    /** Called when the wizard closes: stops following (a task keeps running in the manager). */
    public void onDone(Consumer<TaskView> action) {
        task.addListener((obs, old, now) -> {
            if (now != null && now.ended()) {
                action.accept(now);
            }
        });
    }
}
