package org.idcguard.views.drills;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javafx.scene.image.Image;
import javafx.scene.image.PixelReader;
import javax.imageio.ImageIO;
import org.idcguard.model.DrillReport;
import org.idcguard.model.DrillRound;
import org.idcguard.model.RoundTimeline;

/**
 * A drill report as files to hand over: JSON (the report whole, as the manager keeps it), CSV (one line per round and
 * group with the round's figures and the group's step durations, for a spreadsheet) and PNG (the timeline as drawn).
 * This makes the bytes (off the FX thread; only taking the picture belongs on it); the app's {@code FileSaver} writes
 * them.
 */
public final class DrillExports {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    static final String CSV_HEADER = "report,round,fault,idc,rto_ms,rpo,acked,errors,takeover_ms,flowing_ms,rejoin_ms,recovered,"
            + "group,detect_ms,fence_ms,promote_ms,repoint_ms,resolve_ms,in_doubt_committed,in_doubt_rolled_back,group_rejoin_ms,"
            + "data_check,problem";

    private DrillExports() {
    }

    public static byte[] json(DrillReport report) throws IOException {
        return JSON.writeValueAsBytes(report);
    }

    public static byte[] csv(DrillReport report) {
        return (String.join("\n", csvLines(report)) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    static List<String> csvLines(DrillReport report) {
        List<String> lines = new ArrayList<>();
        lines.add(CSV_HEADER);
        for (DrillRound r : report.rounds()) {
            String figures = report.id() + "," + r.round() + "," + r.fault() + "," + r.idc() + "," + r.rtoMillis() + "," + r.rpo() + ","
                    + r.acked() + "," + r.errors() + "," + r.takeoverMillis() + "," + r.flowingMillis() + "," + r.rejoinMillis() + ","
                    + r.recovered();
            Optional<RoundTimeline> t = report.timelines().stream().filter(x -> x.round() == r.round()).findFirst();
            List<TimelineModel.Row> groups = t.map(x -> new TimelineModel(x).rows().stream()
                    .filter(row -> !row.name().equals(TimelineModel.CLUSTER_ROW)).toList()).orElse(List.of());
            if (groups.isEmpty()) {
                lines.add(figures + ",,,,,,,,,," + quoted(r.dataCheck()) + "," + quoted(r.problem()));
            }
            for (TimelineModel.Row g : groups) {
                lines.add(figures + "," + quoted(g.name()) + "," + millis(g, TimelineModel.Step.DETECT) + ","
                        + millis(g, TimelineModel.Step.FENCE) + "," + millis(g, TimelineModel.Step.PROMOTE) + ","
                        + millis(g, TimelineModel.Step.REPOINT) + "," + millis(g, TimelineModel.Step.RESOLVE) + "," + g.inDoubt()[0] + ","
                        + g.inDoubt()[1] + "," + millis(g, TimelineModel.Step.REJOIN) + "," + quoted(r.dataCheck())
                        + "," + quoted(r.problem()));
            }
        }
        return lines;
    }

    /** The picture as PNG; the image is read pixel by pixel, so this may run off the FX thread. */
    public static byte[] png(Image image) throws IOException {
        int w = (int) image.getWidth();
        int h = (int) image.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        PixelReader pixels = image.getPixelReader();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                out.setRGB(x, y, pixels.getArgb(x, y));
            }
        }
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        if (!ImageIO.write(out, "png", bytes)) {
            throw new IOException("No PNG writer is available.");
        }
        return bytes.toByteArray();
    }

    private static String millis(TimelineModel.Row row, TimelineModel.Step step) {
        return row.bar(step).map(b -> Long.toString(b.millis())).orElse("");
    }

    private static String quoted(String text) {
        if (text == null || text.isEmpty()) {
            return "";
        }
        return text.contains(",") || text.contains("\"") || text.contains("\n") ? "\"" + text.replace("\"", "\"\"") + "\"" : text;
    }
}
