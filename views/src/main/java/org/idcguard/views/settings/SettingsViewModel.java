package org.idcguard.views.settings;

import javafx.beans.binding.Bindings;
import javafx.beans.binding.StringBinding;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import org.idcguard.model.HaSettings;
import org.idcguard.views.common.FieldErrors;
import org.idcguard.views.common.Inventory;

/**
 * The Settings screen's HA settings: how often the manager probes every node, how long a probe may take, how many
 * probes must fail in a row before a node is down, and how long a standby must hear nothing to confirm its primary's
 * stream stopped. The fields hold text as typed; the rules of {@link HaSettings#problem()} are checked before the
 * manager is asked, and its refusal is shown next to the field it names.
 */
public final class SettingsViewModel {
    static final String[] FIELDS = {"probeIntervalMillis", "probeTimeoutMillis", "failedProbes", "streamSilenceMillis"};
    private final Inventory inventory;
    private final StringProperty interval = new SimpleStringProperty("");
    private final StringProperty timeout = new SimpleStringProperty("");
    private final StringProperty failed = new SimpleStringProperty("");
    private final StringProperty silence = new SimpleStringProperty("");
    private final StringProperty message = new SimpleStringProperty("");
    private final BooleanProperty saving = new SimpleBooleanProperty(false);
    private final FieldErrors errors = new FieldErrors(FIELDS);

    public SettingsViewModel(Inventory inventory) {
        this.inventory = inventory;
        errors.clearWhenEdited("probeIntervalMillis", interval);
        errors.clearWhenEdited("probeTimeoutMillis", timeout);
        errors.clearWhenEdited("failedProbes", failed);
        errors.clearWhenEdited("streamSilenceMillis", silence);
    }

    public StringProperty intervalProperty() {
        return interval;
    }

    public StringProperty timeoutProperty() {
        return timeout;
    }

    public StringProperty failedProperty() {
        return failed;
    }

    public StringProperty silenceProperty() {
        return silence;
    }

    /** The outcome of the last load or save, in a sentence. */
    public StringProperty messageProperty() {
        return message;
    }

    public BooleanProperty savingProperty() {
        return saving;
    }

    public FieldErrors errors() {
        return errors;
    }

    /** What the fields mean together: when a node is called down. */
    public StringBinding consequence() {
        return Bindings.createStringBinding(() -> {
            try {
                HaSettings s = typed();
                String probes = s.failedProbes() == 1 ? "1 failed probe"
                        : s.failedProbes() + " failed probes " + s.probeIntervalMillis() + " ms apart";
                return "A node is down after " + probes + ": a failure window of " + s.failureWindowMillis() + " ms, then the takeover.";
            } catch (NotANumber e) {
                return "";
            }
        }, interval, failed, timeout, silence);
    }

    /** Reads the manager's settings into the fields. */
    public void load() {
        inventory.background().run("Reading the HA settings", () -> inventory.api().haSettings(), this::show,
                failure -> message.set(org.idcguard.views.common.Failures.sentence(failure)));
    }

    /** Checks the fields by the manager's rules, then saves them; a refusal is shown next to its field. */
    public void save() {
        message.set("");
        HaSettings wanted;
        try {
            wanted = typed();
        } catch (NotANumber e) {
            errors.show(e.field, e.getMessage());
            return;
        }
        var problem = wanted.problem();
        if (problem.isPresent()) {
            errors.show(problem.get().field(), problem.get().getMessage());
            return;
        }
        errors.clear();
        saving.set(true);
        inventory.background().run("Saving the HA settings", () -> inventory.api().updateHaSettings(wanted), saved -> {
            saving.set(false);
            show(saved);
            message.set("Saved: the manager probes with these settings from its next probe on.");
        }, failure -> {
            saving.set(false);
            errors.show(failure, java.util.List.of(FIELDS));
        });
    }

    private void show(HaSettings s) {
        interval.set(Integer.toString(s.probeIntervalMillis()));
        timeout.set(Integer.toString(s.probeTimeoutMillis()));
        failed.set(Integer.toString(s.failedProbes()));
        silence.set(Integer.toString(s.streamSilenceMillis()));
        errors.clear();
    }

    /** The fields as settings, or which field is not a whole number. */
    private HaSettings typed() {
        return new HaSettings(number("probeIntervalMillis", interval, "milliseconds"), number("probeTimeoutMillis", timeout, "milliseconds"),
                number("failedProbes", failed, "probes"), number("streamSilenceMillis", silence, "milliseconds"));
    }

    private static int number(String field, StringProperty text, String unit) {
        try {
            return Integer.parseInt(text.get().trim());
        } catch (NumberFormatException e) {
            throw new NotANumber(field, "Enter a whole number of " + unit + ".");
        }
    }

    private static final class NotANumber extends RuntimeException {
        private final String field;

        NotANumber(String field, String sentence) {
            super(sentence, null, false, false);
            this.field = field;
        }
    }
}
