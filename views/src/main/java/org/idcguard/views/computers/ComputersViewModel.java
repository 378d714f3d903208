package org.idcguard.views.computers;

import java.util.List;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.ObservableList;
import org.idcguard.model.Computer;
import org.idcguard.model.Idc;
import org.idcguard.views.common.Failures;
import org.idcguard.views.common.Inventory;

/** The Computers screen: the list, binding to IDCs (by dialog or by drag and drop), and removal. */
public final class ComputersViewModel {
    private final Inventory inventory;
    private final StringProperty message = new SimpleStringProperty("");

    public ComputersViewModel(Inventory inventory) {
        this.inventory = inventory;
    }

    public Inventory inventory() {
        return inventory;
    }

    public ObservableList<Computer> computers() {
        return inventory.computers();
    }

    public ObservableList<Idc> idcs() {
        return inventory.idcs();
    }

    /** The last refusal or failure of this screen; empty when all is well. */
    public StringProperty messageProperty() {
        return message;
    }

    /**
     * Binds the computer to the IDC (null: unbinds it). The card moves at once; if the manager refuses,
     * the refusal is shown and the next refresh puts it back where the manager says it is.
     */
    public void bind(Computer computer, String idc) {
        if (java.util.Objects.equals(computer.idc(), idc)) {
            return;
        }
        message.set("");
        inventory.update(computer.withIdc(idc));
        inventory.run(idc == null ? "Unbinding " + computer.address() : "Binding " + computer.address() + " to " + idc,
                () -> inventory.api().bindComputer(computer.address(), idc),
                failure -> {
                    message.set(Failures.sentence(failure));
                    inventory.update(computer);
                    inventory.refresh();
                });
    }

    /** Binds several computers to one IDC, one call each, all in the background; onDone gets the first refusal or null. */
    public void bindAll(List<Computer> chosen, String idc, java.util.function.Consumer<Throwable> onDone) {
        message.set("");
        inventory.background().run("Updating IDC of " + chosen.size() + " computers", () -> {
            for (Computer c : chosen) {
                if (!java.util.Objects.equals(c.idc(), idc)) {
                    inventory.api().bindComputer(c.address(), idc);
                }
            }
            return null;
        }, done -> {
            inventory.refresh();
            onDone.accept(null);
        }, failure -> {
            inventory.refresh();
            onDone.accept(failure);
        });
    }

    public void delete(Computer computer) {
        message.set("");
        inventory.run("Removing " + computer.address(), () -> {
            inventory.api().deleteComputer(computer.address());
            return null;
        }, failure -> message.set(Failures.sentence(failure)));
    }
}
