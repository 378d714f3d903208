package org.idcguard.model;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The provinces of China and their cities, bundled as {@code idcguard/cities.json}.
 * An IDC must stand in a city of this catalogue, so that two IDCs of "one city" are
 * recognisably the same city (no "Shenzhen" next to "shenzhen city").
 */
public final class CityCatalog {
    private static final String RESOURCE = "/idcguard/cities.json";
    private final Map<String, List<String>> citiesByProvince;

    private CityCatalog(Map<String, List<String>> citiesByProvince) {
        this.citiesByProvince = citiesByProvince;
    }

    public static CityCatalog bundled() {
        try (InputStream in = CityCatalog.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("The city catalogue " + RESOURCE + " is missing from the build.");
            }
            Map<String, List<String>> map = new ObjectMapper().readValue(in, new TypeReference<>() { });
            return new CityCatalog(new TreeMap<>(map));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<String> provinces() {
        return List.copyOf(citiesByProvince.keySet());
    }

    public List<String> cities(String province) {
        return citiesByProvince.getOrDefault(province, List.of());
    }

    /** The catalogue's spelling of a province typed with any letter case, if it is one. */
    public Optional<String> province(String typed) {
        return findIgnoringCase(citiesByProvince.keySet(), typed);
    }

    /** The catalogue's spelling of a city of the province typed with any letter case, if it is one. */
    public Optional<String> city(String province, String typed) {
        return findIgnoringCase(cities(province), typed);
    }

    private static Optional<String> findIgnoringCase(Iterable<String> names, String typed) {
        if (typed == null) {
            return Optional.empty();
        }
        String wanted = typed.strip();
        for (String name : names) {
            if (name.equalsIgnoreCase(wanted)) {
                return Optional.of(name);
            }
        }
        return Optional.empty();
    }
}
