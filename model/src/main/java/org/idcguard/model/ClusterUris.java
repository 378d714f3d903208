package org.idcguard.model;

/** Multi-host connection strings of the coordinator group, with the client settings that make a lost IDC cost seconds. */
public record ClusterUris(String libpq, String jdbc) {

    /** The same URIs with the password masked ({@link UriSecrets}): what a viewer gets. */
    public ClusterUris masked() {
        return new ClusterUris(UriSecrets.mask(libpq), UriSecrets.mask(jdbc));
    }
}
