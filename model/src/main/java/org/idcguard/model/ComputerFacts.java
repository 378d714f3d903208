package org.idcguard.model;

/**
 * What a node agent reports about its host.
 *
 * @param postgresVersion the server version found, e.g. "15.18", or null when none was found
 * @param postgresBinDir  where those binaries are, or null
 */
public record ComputerFacts(String address, int cpus, long memoryBytes, long freeDiskBytes,
                            String postgresVersion, String postgresBinDir) {

    public boolean hasPostgres() {
        return postgresVersion != null && !postgresVersion.isBlank();
    }
}
