package org.idcguard.views.computers;

import java.util.List;
import javafx.collections.ListChangeListener;
import javafx.scene.control.ScrollPane;
import javafx.scene.layout.HBox;
import org.idcguard.model.Computer;
import org.idcguard.model.Idc;

/** The binding board: an "Unbound" lane and one lane per IDC; dragging a card between lanes binds the computer. */
public final class IdcBoard extends ScrollPane {
    private final ComputersViewModel vm;
    private final HBox lanes = new HBox(12);

    public IdcBoard(ComputersViewModel vm) {
        this.vm = vm;
        setId("idc-board");
        getStyleClass().add("idc-board");
        lanes.getStyleClass().add("board-lanes");
        setContent(lanes);
        setFitToHeight(true);
        vm.computers().addListener((ListChangeListener<Computer>) c -> rebuild());
        vm.idcs().addListener((ListChangeListener<Idc>) c -> rebuild());
        rebuild();
    }

    private void rebuild() {
        lanes.getChildren().clear();
        lanes.getChildren().add(new IdcLane(null, "Unbound", "Not in any IDC", inIdc(null), this::drop));
        for (Idc idc : vm.idcs()) {
            lanes.getChildren().add(new IdcLane(idc.name(), idc.name(), idc.province() + " / " + idc.city(), inIdc(idc.name()), this::drop));
        }
    }

    private List<Computer> inIdc(String idc) {
        return vm.computers().stream().filter(c -> java.util.Objects.equals(c.idc(), idc)).toList();
    }

    private void drop(String address, String idc) {
        vm.computers().stream().filter(c -> c.address().equals(address)).findFirst().ifPresent(c -> vm.bind(c, idc));
    }
}
