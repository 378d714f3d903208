package org.idcguard.model;

/** Who the manager takes the caller for: an operator's name and role, or the scrape identity. */
public record Whoami(String name, String role) {
}
