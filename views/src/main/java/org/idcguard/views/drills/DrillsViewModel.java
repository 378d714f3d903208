package org.idcguard.views.drills;

import java.util.List;
import java.util.Optional;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.scene.image.Image;
import org.idcguard.model.ClusterSummary;
import org.idcguard.model.DrillLive;
import org.idcguard.model.DrillReport;
import org.idcguard.model.DrillRequest;
import org.idcguard.model.RoundTimeline;
import org.idcguard.views.common.FieldErrors;
import org.idcguard.views.common.Inventory;

/**
 * The Drills screen's state: the form that starts a drill on the manager, the drill running now (followed by polling
 * the manager, so closing the console stops nothing), the reports kept, and the timeline shown: the live round
 * while a drill runs, else the round of the report chosen.
 */
public final class DrillsViewModel {
    public static final List<String> FAULTS = List.of("power-off", "freeze", "partition", "switch");
    private final Inventory inventory;
    private final org.idcguard.views.common.FileSaver saver;
    private final StringProperty cluster = new SimpleStringProperty();
    private final StringProperty fault = new SimpleStringProperty("power-off");
    private final StringProperty idc = new SimpleStringProperty();
    private final IntegerProperty rounds = new SimpleIntegerProperty(1);
    private final FieldErrors errors = new FieldErrors("cluster", "fault", "idc", "rounds");
    private final ReadOnlyObjectWrapper<DrillLive> live = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyStringWrapper liveLine = new ReadOnlyStringWrapper("No drill is running.");
    private final ObservableList<DrillReport> reports = FXCollections.observableArrayList();
    private final ReadOnlyObjectWrapper<DrillReport> report = new ReadOnlyObjectWrapper<>();
    private final ObjectProperty<Integer> round = new SimpleObjectProperty<>(1);
    private final ReadOnlyObjectWrapper<TimelineModel> timeline = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyStringWrapper exported = new ReadOnlyStringWrapper("");
    private boolean polling;
    private int runningBefore;

    public DrillsViewModel(Inventory inventory, org.idcguard.views.common.FileSaver saver) {
        this.inventory = inventory;
        this.saver = saver;
        round.addListener((o, was, now) -> showReportRound());
    }

    public Inventory inventory() {
        return inventory;
    }

    public StringProperty clusterProperty() {
        return cluster;
    }

    public StringProperty faultProperty() {
        return fault;
    }

    public StringProperty idcProperty() {
        return idc;
    }

    public IntegerProperty roundsProperty() {
        return rounds;
    }

    public FieldErrors errors() {
        return errors;
    }

    public ReadOnlyObjectProperty<DrillLive> liveProperty() {
        return live.getReadOnlyProperty();
    }

    /** The running drill in one line: round, phase and what the probe saw in the last second. */
    public ReadOnlyStringProperty liveLineProperty() {
        return liveLine.getReadOnlyProperty();
    }

    public ObservableList<DrillReport> reports() {
        return reports;
    }

    public ReadOnlyObjectProperty<DrillReport> reportProperty() {
        return report.getReadOnlyProperty();
    }

    /** The round of the chosen report whose timeline is shown. */
    public ObjectProperty<Integer> roundProperty() {
        return round;
    }

    public ReadOnlyObjectProperty<TimelineModel> timelineProperty() {
        return timeline.getReadOnlyProperty();
    }

    /** Where the last export went, or why it failed. */
    public ReadOnlyStringProperty exportedProperty() {
        return exported.getReadOnlyProperty();
    }

    /** The IDCs a drill of the chosen cluster may fail: its primary and its backup IDC. */
    public List<String> idcsOfCluster() {
        return clusterSummary().map(s -> List.of(s.primaryIdc(), s.backupIdc())).orElse(List.of());
    }

    private Optional<ClusterSummary> clusterSummary() {
        return inventory.clusters().stream().filter(c -> c.name().equals(cluster.get())).findFirst();
    }

    /** Checks the form and asks the manager to start the drill; refusals show beside their field. */
    public void start() {
        errors.clear();
        if (cluster.get() == null || cluster.get().isBlank()) {
            errors.show("cluster", "Choose the cluster to drill.");
            return;
        }
        if (idc.get() == null || idc.get().isBlank()) {
            errors.show("idc", "Choose the IDC to fail.");
            return;
        }
        String name = cluster.get();
        DrillRequest request = new DrillRequest(fault.get(), idc.get(), rounds.get());
        inventory.background().run("Starting a " + request.fault() + " drill of " + name, () -> inventory.api().startDrill(name, request),
                task -> {
                    liveLine.set("Drill of " + name + " started (task " + task.id() + "); waiting for its first round.");
                    refresh();
                }, errors::show);
    }

    /** Asks the manager for the running drill, and for the reports when a drill has ended since the last call. */
    public void refresh() {
        if (polling) {
            return;
        }
        polling = true;
        inventory.background().runQuietly(() -> inventory.api().runningDrills(), running -> {
            polling = false;
            DrillLive now = running.isEmpty() ? null : running.get(0);
            live.set(now);
            liveLine.set(describe(now));
            if (now != null && now.current() != null) {
                timeline.set(new TimelineModel(now.current()));
            }
            if (running.size() != runningBefore || reports.isEmpty()) {
                loadReports();
            }
            runningBefore = running.size();
        }, failure -> polling = false);
    }

    public void loadReports() {
        inventory.background().runQuietly(() -> inventory.api().drills(null), fresh -> {
            Long chosen = report.get() == null ? null : report.get().id();
            reports.setAll(fresh);
            if (chosen == null && !fresh.isEmpty() && live.get() == null) {
                choose(fresh.get(0));
            }
        }, failure -> { });
    }

    /** Reads the report whole (timelines included) and shows its first round. */
    public void choose(DrillReport summary) {
        if (summary == null) {
            return;
        }
        inventory.background().run("Reading drill report " + summary.id(), () -> inventory.api().drill(summary.id()), whole -> {
            report.set(whole);
            round.set(1);
            showReportRound();
        }, failure -> exported.set(org.idcguard.views.common.Failures.sentence(failure)));
    }

    private void showReportRound() {
        DrillReport r = report.get();
        if (r == null || live.get() != null && live.get().current() != null) {
            return; // a running drill's live round has the chart
        }
        r.timelines().stream().filter(t -> t.round() == (round.get() == null ? 1 : round.get())).findFirst()
                .map(TimelineModel::new).ifPresent(timeline::set);
    }

    /** Writes the chosen report in the format its file name ends with; the picture is the chart as drawn now. */
    public void export(java.io.File file, Image timelinePicture) {
        DrillReport r = report.get();
        if (r == null) {
            exported.set("Choose a report to export.");
            return;
        }
        String name = file.getName().toLowerCase(java.util.Locale.ROOT);
        inventory.background().run("Exporting drill report " + r.id(), () -> {
            byte[] content;
            if (name.endsWith(".json")) {
                content = DrillExports.json(r);
            } else if (name.endsWith(".csv")) {
                content = DrillExports.csv(r);
            } else if (name.endsWith(".png")) {
                content = DrillExports.png(timelinePicture);
            } else {
                throw new IllegalArgumentException("Export as .png, .csv or .json.");
            }
            saver.save(file, content);
            return file;
        }, written -> exported.set("Exported to " + written.getName() + "."),
                failure -> exported.set(org.idcguard.views.common.Failures.sentence(failure)));
    }

    static String describe(DrillLive d) {
        if (d == null) {
            return "No drill is running.";
        }
        String head = "Drill of " + d.cluster() + ": round " + d.round() + " of " + d.rounds() + " (" + d.fault() + " of "
                + d.idc() + ") - " + d.phase();
        RoundTimeline t = d.current();
        if (t == null || t.acks().isEmpty()) {
            return head;
        }
        int last = Math.min(t.acks().size(), Math.max(1, 1000 / t.bucketMillis()));
        int writes = 0;
        int failures = 0;
        for (int i = t.acks().size() - last; i < t.acks().size(); i++) {
            writes += t.acks().get(i);
            failures += t.errors().get(i);
        }
        return head + ". Probe: " + writes + " writes/s, " + failures + " errors in the last second.";
    }
}
