package org.idcguard.views.common;

import javafx.animation.Animation;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.scene.Node;
import javafx.util.Duration;

/** Repeats a refresh while a screen is on display, and only then: a screen left for another stops asking the manager. */
public final class Polling {
    private Polling() {
    }

    /** Runs refresh now and every period while node is in a scene; returns the timeline so it can be stopped for good. */
    public static Timeline whileShown(Node node, Duration period, Runnable refresh) {
        Timeline timeline = new Timeline(new KeyFrame(period, e -> refresh.run()));
        timeline.setCycleCount(Animation.INDEFINITE);
        refresh.run();
        if (node.getScene() != null) {
            timeline.play();
        }
        node.sceneProperty().addListener((obs, old, now) -> {
            if (now == null) {
                timeline.stop();
            } else {
                refresh.run();
                timeline.play();
            }
        });
        return timeline;
    }
}
