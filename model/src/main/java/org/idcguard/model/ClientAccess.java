package org.idcguard.model;

import java.util.List;

/**
 * A cluster's client networks, as the manager answers for them.
 *
 * @param clients    the networks applications may connect from (databases only, scram-sha-256)
 * @param notReached after a change: the nodes whose agent did not answer; they get the networks when they rejoin
 */
public record ClientAccess(List<String> clients, List<String> notReached) {
    public ClientAccess {
        clients = clients == null ? List.of() : List.copyOf(clients);
        notReached = notReached == null ? List.of() : List.copyOf(notReached);
    }
}
