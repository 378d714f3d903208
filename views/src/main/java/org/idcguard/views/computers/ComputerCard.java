package org.idcguard.views.computers;

import javafx.scene.control.Label;
import javafx.scene.input.ClipboardContent;
import javafx.scene.input.TransferMode;
import javafx.scene.layout.VBox;
import org.idcguard.model.Computer;
import org.idcguard.views.common.Formats;

/** A computer on the IDC board: drag it to another lane to bind it there. */
final class ComputerCard extends VBox {
    /** The dragboard carries the address with this prefix, so drops of unrelated text are ignored. */
    static final String DRAG_PREFIX = "idcguard-computer:";

    /** Node ids may not hold dots (CSS would read them as classes), so the address's dots become dashes. */
    static String cardId(String address) {
        return "card-" + address.replace('.', '-').replace(':', '-');
    }

    ComputerCard(Computer computer) {
        setId(cardId(computer.address()));
        getStyleClass().add("computer-card");
        Label address = new Label(computer.address());
        address.getStyleClass().add("card-title");
        String pg = computer.facts().hasPostgres() ? "PostgreSQL " + computer.facts().postgresVersion() : "No PostgreSQL";
        Label resources = new Label(computer.facts().cpus() + " CPU · " + Formats.bytes(computer.facts().memoryBytes()) + " memory");
        resources.getStyleClass().add("card-detail");
        Label postgres = new Label(pg);
        postgres.getStyleClass().add("card-detail");
        getChildren().addAll(address, StatusBadge.of(computer.status()), resources, postgres);
        setOnDragDetected(e -> {
            var board = startDragAndDrop(TransferMode.MOVE);
            ClipboardContent content = new ClipboardContent();
            content.putString(DRAG_PREFIX + computer.address());
            board.setContent(content);
            board.setDragView(snapshot(null, null));
            getStyleClass().add("dragging");
            e.consume();
        });
        setOnDragDone(e -> getStyleClass().remove("dragging"));
    }
}
