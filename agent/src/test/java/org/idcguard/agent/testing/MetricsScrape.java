package org.idcguard.agent.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One scrape of the manager's /metrics, parsed from the Prometheus text format into samples. */
public final class MetricsScrape {
    private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (\\S+)$");
    private final List<Sample> samples = new ArrayList<>();

    public record Sample(String name, String labels, double value) {
        public boolean has(String label, String value) {
            return labels.contains(label + "=\"" + value + "\"");
        }
    }

    public MetricsScrape(String text) {
        for (String line : text.split("\n")) {
            Matcher m = LINE.matcher(line.strip());
            if (!line.startsWith("#") && m.matches()) {
                samples.add(new Sample(m.group(1), m.group(3) == null ? "" : m.group(3), Double.parseDouble(m.group(4))));
            }
        }
    }

    public List<Sample> named(String name) {
        return samples.stream().filter(s -> s.name().equals(name)).toList();
    }

    /** The one sample of a series without labels to tell apart; fails when there is none. */
    public double value(String name) {
        List<Sample> found = named(name);
        if (found.isEmpty()) {
            throw new AssertionError("no series " + name + " in the scrape");
        }
        return found.stream().mapToDouble(Sample::value).sum();
    }
}
