package org.idcguard.views.dashboard;

import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import javafx.css.PseudoClass;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.VBox;
import org.idcguard.model.ManagerInfo;

/** The managers as cards (IDC, role, ZooKeeper peer, log position) under the quorum's health in one sentence. */
final class ManagersPane extends VBox {
    private static final PseudoClass DOWN = PseudoClass.getPseudoClass("down");
    private static final PseudoClass LEADER = PseudoClass.getPseudoClass("leader");
    private static final PseudoClass ALERT = PseudoClass.getPseudoClass("alert");
    private final FlowPane cards = new FlowPane(10, 10);
    private final Label health = new Label();

    ManagersPane(ObservableList<ManagerInfo> managers) {
        setSpacing(6);
        setId("managers");
        health.setId("quorum-health");
        health.getStyleClass().add("quorum-health");
        health.setWrapText(true);
        cards.setId("manager-cards");
        getChildren().addAll(health, cards);
        managers.addListener((ListChangeListener<ManagerInfo>) c -> show(managers));
        show(managers);
    }

    private void show(ObservableList<ManagerInfo> managers) {
        QuorumHealth q = QuorumHealth.of(managers);
        health.setText(q.sentence());
        health.pseudoClassStateChanged(ALERT, !q.healthy());
        cards.getChildren().setAll(managers.stream().map(ManagersPane::card).toList());
    }

    private static VBox card(ManagerInfo m) {
        Label title = new Label("Manager " + m.id() + (m.idc().isEmpty() ? "" : "  ·  " + m.idc()));
        title.getStyleClass().add("manager-title");
        Label role = new Label(m.role().toUpperCase());
        role.getStyleClass().add("manager-role");
        Label peer = new Label("ZooKeeper " + m.zookeeper());
        peer.getStyleClass().add("manager-detail");
        Label where = new Label(m.url().isEmpty() ? "not registered" : m.url().replaceFirst("^https://", ""));
        where.getStyleClass().add("manager-detail");
        Label applied = new Label(m.applied() > 0 ? "log applied to " + m.applied() : m.pid() > 0 ? "pid " + m.pid() : "");
        applied.getStyleClass().add("manager-detail");
        VBox card = new VBox(2, title, role, where, peer, applied);
        card.setId("manager-" + m.id());
        card.getStyleClass().add("manager-card");
        card.pseudoClassStateChanged(DOWN, m.role().equals("down"));
        card.pseudoClassStateChanged(LEADER, m.role().equals("leader"));
        Tooltip.install(card, new Tooltip("Manager " + m.id() + " " + m.role() + (m.pid() > 0 ? ", pid " + m.pid() : "")
                + "\nZooKeeper peer: " + m.zookeeper() + "\nmetadata log applied to position " + m.applied()));
        return card;
    }
}
