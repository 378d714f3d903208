package org.idcguard.model;

/** Multi-host connection strings of the coordinator group, with the client settings that make a lost IDC cost seconds. */
public record ClusterUris(String libpq, String jdbc) {
    /** What stands for the application's password where the caller may not see it. */
    public static final String MASK = "********";

    /** The same URIs with the password replaced by {@link #MASK} (for a viewer, or on screen until revealed). */
    public ClusterUris masked() {
        return new ClusterUris(libpq == null ? null : libpq.replaceFirst("(postgresql://[^:/@]*:)[^@]*@", "$1" + MASK + "@"),
                jdbc == null ? null : jdbc.replaceFirst("([?&]password=)[^&]*", "$1" + MASK));
    }
}
