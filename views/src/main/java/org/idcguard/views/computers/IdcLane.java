package org.idcguard.views.computers;

import java.util.List;
import java.util.function.BiConsumer;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.input.DragEvent;
import javafx.scene.input.TransferMode;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import org.idcguard.model.Computer;

/** One lane of the IDC board: an IDC (or "Unbound") and the cards of its computers; a drop target. */
final class IdcLane extends VBox {
    private final String idc;

    /** @param idc the lane's IDC, or null for the unbound lane; onDrop gets the dropped address and this IDC */
    IdcLane(String idc, String title, String subtitle, List<Computer> computers, BiConsumer<String, String> onDrop) {
        this.idc = idc;
        setId(idc == null ? "lane-unbound" : "lane-" + idc);
        getStyleClass().add("idc-lane");
        if (idc == null) {
            getStyleClass().add("unbound-lane");
        }
        Label heading = new Label(title);
        heading.getStyleClass().add("lane-title");
        Label sub = new Label(subtitle);
        sub.getStyleClass().add("lane-subtitle");
        Label count = new Label(computers.size() + (computers.size() == 1 ? " computer" : " computers"));
        count.getStyleClass().add("lane-count");
        VBox cards = new VBox(8);
        cards.getStyleClass().add("lane-cards");
        computers.forEach(c -> cards.getChildren().add(new ComputerCard(c)));
        if (computers.isEmpty()) {
            Label empty = new Label(idc == null ? "Every computer is bound." : "Drop computers here to bind them to " + idc + ".");
            empty.getStyleClass().add("lane-empty");
            empty.setWrapText(true);
            cards.getChildren().add(empty);
        }
        ScrollPane scroll = new ScrollPane(cards);
        scroll.setFitToWidth(true);
        scroll.getStyleClass().add("lane-scroll");
        VBox.setVgrow(scroll, Priority.ALWAYS);
        getChildren().addAll(heading, sub, count, scroll);

        setOnDragOver(e -> {
            if (accepts(e)) {
                e.acceptTransferModes(TransferMode.MOVE);
            }
            e.consume();
        });
        setOnDragEntered(e -> {
            if (accepts(e)) {
                getStyleClass().add("drop-target");
            }
        });
        setOnDragExited(e -> getStyleClass().remove("drop-target"));
        setOnDragDropped(e -> {
            boolean ok = accepts(e);
            if (ok) {
                onDrop.accept(address(e), idc);
            }
            e.setDropCompleted(ok);
            e.consume();
        });
    }

    String idc() {
        return idc;
    }

    private static boolean accepts(DragEvent e) {
        return e.getDragboard().hasString() && e.getDragboard().getString().startsWith(ComputerCard.DRAG_PREFIX);
    }

    private static String address(DragEvent e) {
        return e.getDragboard().getString().substring(ComputerCard.DRAG_PREFIX.length());
    }
}
