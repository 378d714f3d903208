package org.idcguard.model;

/** How the manager guards its most dangerous operations: with fourEyes, a DR promotion or a cluster deletion waits for a second admin. */
public record AccessSettings(boolean fourEyes) {
}
