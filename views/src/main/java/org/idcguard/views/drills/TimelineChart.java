package org.idcguard.views.drills;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.geometry.VPos;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.Label;
import javafx.scene.input.MouseEvent;
import javafx.scene.input.ScrollEvent;
import javafx.scene.layout.Region;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import javafx.scene.text.TextAlignment;
import org.idcguard.model.RoundTimeline;

/**
 * A drill round's failover timeline on one canvas: time across (seconds from the fault), the probe's acknowledged
 * writes and errors as a strip, the fault and the restore as lines, then one row per group with its step bars and
 * every event as a marker whose sentence shows on hover. The wheel zooms around the pointer, a drag pans, a double
 * click fits the whole round. One canvas, redrawn whole: at 16+ shards that is a few hundred rectangles.
 */
public final class TimelineChart extends Region {
    static final double LABEL_WIDTH = 110;
    static final double AXIS_HEIGHT = 22;
    static final double STRIP_HEIGHT = 48;
    static final double ROW_HEIGHT = 18;
    static final Map<TimelineModel.Step, Color> STEP_COLORS = Map.of(
            TimelineModel.Step.DETECT, Color.web("#8c959f"),
            TimelineModel.Step.FENCE, Color.web("#d4a72c"),
            TimelineModel.Step.PROMOTE, Color.web("#2da44e"),
            TimelineModel.Step.REPOINT, Color.web("#218bff"),
            TimelineModel.Step.RESOLVE, Color.web("#bf3989"),
            TimelineModel.Step.REJOIN, Color.web("#8250df"));
    private static final Color FAULT = Color.web("#cf222e");
    private static final Color RESTORE = Color.web("#1a7f37");
    private static final Color TEXT = Color.web("#24292f");
    private static final Color GRID = Color.web("#d0d7de");
    private final Canvas canvas = new Canvas();
    private final Label hover = new Label();
    private final ObjectProperty<TimelineModel> model = new SimpleObjectProperty<>();
    /** Milliseconds (from the fault) at the left edge of the plot, and pixels per millisecond. */
    private double leftMillis;
    private double scale = 0.05;
    private boolean fitted;
    /** True until the DBA zooms or pans: then an update keeps their view. */
    private boolean followed = true;
    private double dragX = Double.NaN;

    public TimelineChart() {
        getStyleClass().add("timeline-chart");
        setId("drill-timeline");
        hover.getStyleClass().add("timeline-hover");
        hover.setVisible(false);
        hover.setMouseTransparent(true);
        hover.setWrapText(true);
        hover.setMaxWidth(420);
        getChildren().addAll(canvas, hover);
        model.addListener((o, was, now) -> {
            if (was == null || now == null || was.round().round() != now.round().round()
                    || was.round().startMillis() != now.round().startMillis() || was.struck() != now.struck()) {
                followed = true; // a new round (or the fault striking, which moves time's origin) is shown whole
            }
            if (followed) {
                fitted = false; // a growing live round stays whole on screen until the DBA zooms or pans
            }
            requestLayout();
            draw();
        });
        setOnScroll(this::zoom);
        setOnMousePressed(e -> dragX = e.getX());
        setOnMouseDragged(this::pan);
        setOnMouseReleased(e -> dragX = Double.NaN);
        setOnMouseMoved(this::hoverAt);
        setOnMouseExited(e -> hover.setVisible(false));
        setOnMouseClicked(e -> {
            if (e.getClickCount() == 2) {
                fit();
            }
        });
    }

    public ObjectProperty<TimelineModel> modelProperty() {
        return model;
    }

    /** Shows the whole round across the width. */
    public void fit() {
        TimelineModel m = model.get();
        double plot = plotWidth();
        if (m == null || plot <= 0) {
            return;
        }
        double span = Math.max(1000, m.endsAt() - m.startsAt());
        scale = plot / (span * 1.02);
        leftMillis = m.startsAt() - span * 0.01;
        fitted = true;
        followed = true;
        draw();
    }

    /** Pixels per millisecond now (for tests of zoom). */
    public double scale() {
        return scale;
    }

    /** The text the hover shows now, empty when it is hidden. */
    public String hoverText() {
        return hover.isVisible() ? hover.getText() : "";
    }

    @Override
    protected double computePrefHeight(double width) {
        TimelineModel m = model.get();
        int rows = m == null ? 4 : m.rows().size();
        return AXIS_HEIGHT + STRIP_HEIGHT + rows * ROW_HEIGHT + 8;
    }

    @Override
    protected double computePrefWidth(double height) {
        return 900;
    }

    @Override
    protected void layoutChildren() {
        canvas.setWidth(getWidth());
        canvas.setHeight(getHeight());
        if (!fitted) {
            fit();
        }
        hover.autosize();
        draw();
    }

    private double plotWidth() {
        return getWidth() - LABEL_WIDTH - 8;
    }

    double xOf(double millis) {
        return LABEL_WIDTH + (millis - leftMillis) * scale;
    }

    private double millisAt(double x) {
        return leftMillis + (x - LABEL_WIDTH) / scale;
    }

    private void zoom(ScrollEvent e) {
        if (model.get() == null || e.getDeltaY() == 0) {
            return;
        }
        double at = millisAt(Math.max(LABEL_WIDTH, e.getX()));
        double factor = e.getDeltaY() > 0 ? 1.25 : 0.8;
        scale = Math.max(0.002, Math.min(5, scale * factor)); // from whole minutes to a few milliseconds per pixel
        leftMillis = at - (Math.max(LABEL_WIDTH, e.getX()) - LABEL_WIDTH) / scale;
        followed = false;
        draw();
        e.consume();
    }

    private void pan(MouseEvent e) {
        if (Double.isNaN(dragX)) {
            return;
        }
        leftMillis -= (e.getX() - dragX) / scale;
        dragX = e.getX();
        followed = false;
        draw();
    }

    /** Shows the sentence of the event nearest the pointer in the row under it (within 6 pixels). */
    private void hoverAt(MouseEvent e) {
        TimelineModel m = model.get();
        Optional<TimelineModel.Marker> near = Optional.empty();
        if (m != null) {
            int row = (int) Math.floor((e.getY() - AXIS_HEIGHT - STRIP_HEIGHT) / ROW_HEIGHT);
            if (row >= 0 && row < m.rows().size()) {
                near = m.rows().get(row).markers().stream().filter(k -> Math.abs(xOf(k.at()) - e.getX()) <= 6)
                        .min((a, b) -> Double.compare(Math.abs(xOf(a.at()) - e.getX()), Math.abs(xOf(b.at()) - e.getX())));
            }
        }
        if (near.isEmpty()) {
            hover.setVisible(false);
            return;
        }
        TimelineModel.Marker k = near.get();
        hover.setText(String.format("%+.3f s  %s  %s%n%s", k.at() / 1000.0, k.event().kind(), k.event().subject(), k.event().message()));
        hover.autosize();
        hover.relocate(Math.min(e.getX() + 12, Math.max(0, getWidth() - hover.getWidth() - 4)),
                Math.min(e.getY() + 12, Math.max(0, getHeight() - hover.getHeight() - 4)));
        hover.setVisible(true);
    }

    void draw() {
        GraphicsContext g = canvas.getGraphicsContext2D();
        double w = canvas.getWidth();
        double h = canvas.getHeight();
        g.setFill(Color.WHITE);
        g.fillRect(0, 0, w, h);
        TimelineModel m = model.get();
        if (m == null || w <= LABEL_WIDTH) {
            return;
        }
        g.setFont(Font.font(11));
        drawAxis(g, w, h, m.struck() ? "s from fault" : "s from start");
        drawStrip(g, m.round(), w);
        double y = AXIS_HEIGHT + STRIP_HEIGHT;
        for (TimelineModel.Row row : m.rows()) {
            drawRow(g, row, y, w);
            y += ROW_HEIGHT;
        }
        g.save();
        g.beginPath();
        g.rect(LABEL_WIDTH, 0, w - LABEL_WIDTH, h);
        g.clip();
        g.setLineWidth(1.5);
        if (m.struck()) {
            g.setStroke(FAULT);
            g.strokeLine(xOf(0), AXIS_HEIGHT - 4, xOf(0), h);
        }
        m.restoredAt().ifPresent(r -> {
            g.setStroke(RESTORE);
            g.strokeLine(xOf(r), AXIS_HEIGHT - 4, xOf(r), h);
        });
        g.restore();
    }

    private void drawAxis(GraphicsContext g, double w, double h, String unit) {
        double step = niceStep(80 / scale);
        double first = Math.ceil(millisAt(LABEL_WIDTH) / step) * step;
        g.setTextAlign(TextAlignment.CENTER);
        g.setTextBaseline(VPos.CENTER);
        for (double t = first; xOf(t) < w; t += step) {
            double x = xOf(t);
            g.setStroke(GRID);
            g.setLineWidth(0.5);
            g.strokeLine(x, AXIS_HEIGHT, x, h);
            g.setFill(TEXT);
            g.fillText(step >= 1000 ? String.format("%+.0f s", t / 1000) : String.format("%+.1f s", t / 1000), x, AXIS_HEIGHT / 2);
        }
        g.setTextAlign(TextAlignment.LEFT);
        g.fillText(unit, 6, AXIS_HEIGHT / 2);
    }

    private void drawStrip(GraphicsContext g, RoundTimeline r, double w) {
        double top = AXIS_HEIGHT + 4;
        double height = STRIP_HEIGHT - 10;
        g.setFill(TEXT);
        g.setTextBaseline(VPos.CENTER);
        g.fillText("writes / errors", 6, top + height / 2);
        int peak = Math.max(1, r.acks().stream().mapToInt(Integer::intValue).max().orElse(1));
        double bucketWidth = r.bucketMillis() * scale;
        long origin = r.faultMillis() > 0 ? r.faultMillis() : r.startMillis();
        for (int i = 0; i < r.acks().size(); i++) {
            double from = r.startMillis() - origin + (double) i * r.bucketMillis();
            double x = xOf(from);
            if (x + bucketWidth < LABEL_WIDTH || x > w) {
                continue;
            }
            double left = Math.max(LABEL_WIDTH, x);
            double width = Math.max(0.5, x + bucketWidth - left - (bucketWidth > 3 ? 0.5 : 0));
            int acks = r.acks().get(i);
            int errors = r.errors().get(i);
            if (acks > 0) {
                double bar = height * acks / peak;
                g.setFill(Color.web("#54aeff"));
                g.fillRect(left, top + height - bar, width, bar);
            }
            if (errors > 0) {
                g.setFill(FAULT);
                g.fillRect(left, top + height + 1, width, 4);
            }
        }
    }

    private void drawRow(GraphicsContext g, TimelineModel.Row row, double y, double w) {
        g.setFill(TEXT);
        g.setTextBaseline(VPos.CENTER);
        g.fillText(row.name(), 6, y + ROW_HEIGHT / 2);
        g.setStroke(GRID);
        g.setLineWidth(0.5);
        g.strokeLine(LABEL_WIDTH, y + ROW_HEIGHT, w, y + ROW_HEIGHT);
        g.save();
        g.beginPath();
        g.rect(LABEL_WIDTH, y, w - LABEL_WIDTH, ROW_HEIGHT);
        g.clip();
        for (TimelineModel.Bar b : row.bars()) {
            g.setFill(STEP_COLORS.get(b.step()));
            g.fillRect(xOf(b.from()), y + 4, Math.max(1.5, b.millis() * scale), ROW_HEIGHT - 8);
        }
        for (TimelineModel.Marker k : row.markers()) {
            double x = xOf(k.at());
            if (x < LABEL_WIDTH - 4 || x > w + 4) {
                continue;
            }
            g.setFill(markerColor(k.event().kind()));
            g.fillPolygon(new double[] {x, x + 4, x, x - 4}, new double[] {y + 3, y + ROW_HEIGHT / 2, y + ROW_HEIGHT - 3, y + ROW_HEIGHT / 2}, 4);
        }
        g.restore();
    }

    private static Color markerColor(String kind) {
        if (kind.startsWith("alert.") || kind.endsWith(".down") || kind.endsWith("unreachable") || kind.endsWith("failed")) {
            return FAULT;
        }
        if (kind.startsWith("failover.")) {
            return TEXT;
        }
        if (kind.startsWith("node.") || kind.endsWith(".up") || kind.endsWith("reachable") || kind.startsWith("protection.")) {
            return RESTORE;
        }
        return Color.web("#57606a");
    }

    /** A step of 1, 2 or 5 times a power of ten milliseconds, about the given width. */
    static double niceStep(double about) {
        double power = Math.pow(10, Math.floor(Math.log10(Math.max(1, about))));
        for (double m : List.of(1.0, 2.0, 5.0, 10.0)) {
            if (power * m >= about) {
                return power * m;
            }
        }
        return power * 10;
    }
}
