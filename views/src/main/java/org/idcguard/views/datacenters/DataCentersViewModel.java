package org.idcguard.views.datacenters;

import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.ObservableList;
import org.idcguard.model.CityCatalog;
import org.idcguard.model.Idc;
import org.idcguard.views.common.Failures;
import org.idcguard.views.common.Inventory;

/** The Data Centers screen: the IDC list, the selection, and delete. Add and edit go through {@link IdcFormViewModel}. */
public final class DataCentersViewModel {
    private final Inventory inventory;
    private final CityCatalog catalog;
    private final ObjectProperty<Idc> selected = new SimpleObjectProperty<>();
    private final StringProperty message = new SimpleStringProperty("");

    public DataCentersViewModel(Inventory inventory, CityCatalog catalog) {
        this.inventory = inventory;
        this.catalog = catalog;
    }

    public ObservableList<Idc> idcs() {
        return inventory.idcs();
    }

    public Inventory inventory() {
        return inventory;
    }

    public ObjectProperty<Idc> selectedProperty() {
        return selected;
    }

    /** The last refusal or failure of this screen, shown above the table; empty when all is well. */
    public StringProperty messageProperty() {
        return message;
    }

    public long computersIn(String idc) {
        return boundTo(idc).size();
    }

    /** The addresses of the computers bound to an IDC, in order. */
    private java.util.List<String> boundTo(String idc) {
        return inventory.computers().stream().filter(c -> idc.equals(c.idc())).map(org.idcguard.model.Computer::address)
                .sorted().toList();
    }

    /**
     * Why the IDC cannot be deleted now, said before the DBA confirms: the manager refuses while computers are bound
     * to it, so the dialog names them instead of asking a question whose answer would be refused.
     */
    public java.util.Optional<String> deleteBlocker(Idc idc) {
        java.util.List<String> bound = boundTo(idc.name());
        if (bound.isEmpty()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of("IDC " + idc.name() + " still has " + bound.size() + (bound.size() == 1 ? " computer" : " computers")
                + " bound to it (" + String.join(", ", bound) + "): unbind " + (bound.size() == 1 ? "it" : "them")
                + " on the Computers screen first.");
    }

    public IdcFormViewModel newIdcForm() {
        message.set("");
        return new IdcFormViewModel(inventory, catalog, null);
    }

    public IdcFormViewModel editForm(Idc idc) {
        message.set("");
        return new IdcFormViewModel(inventory, catalog, idc);
    }

    public void delete(Idc idc) {
        message.set("");
        inventory.run("Deleting IDC " + idc.name(), () -> {
            inventory.api().deleteIdc(idc.name());
            return null;
        }, failure -> message.set(Failures.sentence(failure)));
    }

    public void refresh() {
        inventory.refresh();
    }
}
