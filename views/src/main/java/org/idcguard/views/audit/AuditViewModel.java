package org.idcguard.views.audit;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.idcguard.model.AuditCsv;
import org.idcguard.model.AuditFilter;
import org.idcguard.model.Event;
import org.idcguard.views.common.FileSaver;
import org.idcguard.views.common.Failures;
import org.idcguard.views.common.Inventory;

/**
 * The audit trail: what operators did (every change names its operator and the reason they gave), narrowed by
 * operator, subject, kind and dates, and exported as CSV for an auditor exactly as shown.
 */
public final class AuditViewModel {
    private final Inventory inventory;
    private final FileSaver saver;
    private final ObservableList<Event> entries = FXCollections.observableArrayList();
    private final StringProperty operator = new SimpleStringProperty("");
    private final StringProperty subject = new SimpleStringProperty("");
    private final StringProperty kind = new SimpleStringProperty("");
    private final ObjectProperty<LocalDate> since = new SimpleObjectProperty<>();
    private final ObjectProperty<LocalDate> until = new SimpleObjectProperty<>();
    private final StringProperty message = new SimpleStringProperty("");

    public AuditViewModel(Inventory inventory, FileSaver saver) {
        this.inventory = inventory;
        this.saver = saver;
    }

    public ObservableList<Event> entries() {
        return entries;
    }

    public StringProperty operatorProperty() {
        return operator;
    }

    public StringProperty subjectProperty() {
        return subject;
    }

    public StringProperty kindProperty() {
        return kind;
    }

    public ObjectProperty<LocalDate> sinceProperty() {
        return since;
    }

    public ObjectProperty<LocalDate> untilProperty() {
        return until;
    }

    public StringProperty messageProperty() {
        return message;
    }

    public Inventory inventory() {
        return inventory;
    }

    /** The filter as chosen now: blank fields mean any; the dates are whole days of this computer's zone. */
    public AuditFilter filter() {
        ZoneId zone = ZoneId.systemDefault();
        return new AuditFilter(blankToNull(operator.get()), blankToNull(subject.get()), blankToNull(kind.get()),
                since.get() == null ? null : since.get().atStartOfDay(zone).toInstant().toEpochMilli(),
                until.get() == null ? null : until.get().plusDays(1).atStartOfDay(zone).toInstant().toEpochMilli() - 1);
    }

    /** Reads the trail for the filter. */
    public void refresh() {
        AuditFilter f = filter();
        inventory.background().run("Reading the audit trail", () -> inventory.api().audit(f), found -> {
            entries.setAll(found);
            message.set(found.isEmpty() ? "Nothing matches." : found.size() + " entr" + (found.size() == 1 ? "y" : "ies") + ".");
        }, failure -> message.set(Failures.sentence(failure)));
    }

    /** Writes what is shown as CSV (time, operator, reason, kind, subject, message). */
    public void export(File file) {
        List<Event> shown = List.copyOf(entries);
        inventory.background().run("Exporting the audit trail", () -> {
            saver.save(file, AuditCsv.write(shown).getBytes(StandardCharsets.UTF_8));
            return file;
        }, written -> message.set("Exported " + shown.size() + " entries to " + written.getName() + "."),
                failure -> message.set(Failures.sentence(failure)));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
