package org.idcguard.agent.drill;

import java.sql.Connection;
import java.sql.SQLException;

/** The two things a client loop does without caring how they end: drop a connection that may be broken, and pause. */
public final class Quietly {
    private Quietly() {
    }

    /** Closes the connection if there is one; a connection broken by a fault is dropped either way. */
    public static void close(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // broken with its server: nothing to close cleanly
            }
        }
    }

    /** Sleeps, keeping the thread's interrupt for its loop to see. */
    public static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
