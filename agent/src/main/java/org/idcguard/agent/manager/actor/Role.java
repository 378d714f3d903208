package org.idcguard.agent.manager.actor;

import java.util.Locale;
import java.util.Optional;

/**
 * What an operator may do. Each role may do everything the ones before it may: a viewer reads everything but secrets;
 * an operator also switches, runs drills, acknowledges alerts and does everyday maintenance; an admin also promotes
 * the DR city, deletes clusters, IDCs and computers, changes settings and client networks, manages accounts, lets
 * computers in and reveals secrets.
 */
public enum Role {
    VIEWER, OPERATOR, ADMIN;

    public boolean mayDo(Role needed) {
        return compareTo(needed) >= 0;
    }

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Role> parse(String word) {
        for (Role r : values()) {
            if (r.word().equals(word)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
