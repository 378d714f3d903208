package org.idcguard.agent.manager;

/**
 * The metadata store as the engine uses it: work in one transaction, committed when it returns, rolled back when it
 * throws. {@link MetadataStore} in production; the deterministic simulation wraps it to stop a killed manager's
 * writes at the instant it dies.
 */
@FunctionalInterface
public interface Transactions {
    <T> T inTransaction(MetadataStore.SqlWork<T> work);
}
