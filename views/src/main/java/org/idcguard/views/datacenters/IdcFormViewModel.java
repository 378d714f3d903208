package org.idcguard.views.datacenters;

import java.util.function.Consumer;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.idcguard.model.CityCatalog;
import org.idcguard.model.Idc;
import org.idcguard.model.IdcRules;
import org.idcguard.model.InvalidInput;
import org.idcguard.views.common.FieldErrors;
import org.idcguard.views.common.Inventory;

/**
 * Add or edit one IDC. The same rules as the manager's are checked first so the DBA hears of a typo at
 * once; the manager's own refusal (a duplicate name, say) is shown next to the field it names.
 */
public final class IdcFormViewModel {
    private final Inventory inventory;
    private final CityCatalog catalog;
    private final Idc original;
    private final StringProperty name = new SimpleStringProperty("");
    private final StringProperty province = new SimpleStringProperty("");
    private final StringProperty city = new SimpleStringProperty("");
    private final ObservableList<String> cities = FXCollections.observableArrayList();
    private final FieldErrors errors = new FieldErrors("name", "province", "city");
    private final BooleanProperty saving = new SimpleBooleanProperty(false);

    /** @param original the IDC being edited, or null to add a new one */
    public IdcFormViewModel(Inventory inventory, CityCatalog catalog, Idc original) {
        this.inventory = inventory;
        this.catalog = catalog;
        this.original = original;
        province.addListener((obs, old, now) -> cities.setAll(catalog.province(now).map(catalog::cities).orElse(java.util.List.of())));
        if (original != null) {
            name.set(original.name());
            province.set(original.province());
            city.set(original.city());
        }
        errors.clearWhenEdited("name", name);
        errors.clearWhenEdited("province", province);
        errors.clearWhenEdited("city", city);
    }

    public boolean isEdit() {
        return original != null;
    }

    public StringProperty nameProperty() {
        return name;
    }

    public StringProperty provinceProperty() {
        return province;
    }

    public StringProperty cityProperty() {
        return city;
    }

    public ObservableList<String> provinces() {
        return FXCollections.observableArrayList(catalog.provinces());
    }

    public ObservableList<String> cities() {
        return cities;
    }

    public FieldErrors errors() {
        return errors;
    }

    public BooleanProperty savingProperty() {
        return saving;
    }

    /** Checks locally, then saves through the manager; onSaved runs on the FX thread once the manager has accepted it. */
    public void save(Consumer<Idc> onSaved) {
        Idc idc = new Idc(name.get() == null ? "" : name.get().strip(), province.get(), city.get());
        try {
            new IdcRules(catalog).check(idc);
        } catch (InvalidInput e) {
            errors.show(e.field(), e.getMessage());
            return;
        }
        errors.clear();
        saving.set(true);
        inventory.background().run(isEdit() ? "Saving IDC " + original.name() : "Adding IDC " + idc.name(),
                () -> isEdit() ? inventory.api().updateIdc(original.name(), idc) : inventory.api().addIdc(idc),
                saved -> {
                    saving.set(false);
                    inventory.refresh();
                    onSaved.accept(saved);
                },
                failure -> {
                    saving.set(false);
                    errors.show(failure);
                });
    }
}
