package org.idcguard.views.common;

import java.util.LinkedHashMap;
import java.util.Map;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/**
 * The sentence to show next to each input of a form, keyed by the API's field names; a failure that
 * names no known field goes to the form's general message.
 */
public final class FieldErrors {
    private final Map<String, StringProperty> byField = new LinkedHashMap<>();
    private final StringProperty general = new SimpleStringProperty("");

    public FieldErrors(String... fields) {
        for (String field : fields) {
            byField.put(field, new SimpleStringProperty(""));
        }
    }

    public StringProperty of(String field) {
        StringProperty p = byField.get(field);
        if (p == null) {
            throw new IllegalArgumentException("no field " + field);
        }
        return p;
    }

    /** Runs the action whenever any message changes (dialogs use it to grow with their messages). */
    public void onChange(Runnable action) {
        general.addListener((obs, old, now) -> action.run());
        byField.values().forEach(p -> p.addListener((obs, old, now) -> action.run()));
    }

    /**
     * Forgets a field's message, and the general one, as soon as the field is edited: a sentence about a value the DBA
     * has since corrected must not stay beside it.
     */
    public void clearWhenEdited(String field, javafx.beans.value.ObservableValue<?> value) {
        StringProperty message = of(field);
        value.addListener((obs, old, now) -> {
            message.set("");
            general.set("");
        });
    }

    public StringProperty general() {
        return general;
    }

    public void clear() {
        byField.values().forEach(p -> p.set(""));
        general.set("");
    }

    /** Shows the sentence next to its field, or as the general message. */
    public void show(String field, String sentence) {
        clear();
        StringProperty target = field == null ? null : byField.get(field);
        (target == null ? general : target).set(sentence);
    }

    public void show(Throwable failure) {
        show(Failures.field(failure), Failures.sentence(failure));
    }

    /**
     * Shows the failure next to its field when that field is on screen, else as the general message: a wizard's
     * page must never swallow a refusal about a field of an earlier page.
     */
    public void show(Throwable failure, java.util.Collection<String> onScreen) {
        String field = Failures.field(failure);
        show(field != null && onScreen.contains(field) ? field : null, Failures.sentence(failure));
    }

    public boolean any() {
        return !general.get().isEmpty() || byField.values().stream().anyMatch(p -> !p.get().isEmpty());
    }
}
