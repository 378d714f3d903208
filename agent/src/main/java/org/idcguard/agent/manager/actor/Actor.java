package org.idcguard.agent.manager.actor;

import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * Who is acting on this thread, and why (the reason given with the request, a ticket): set by the access guard for the
 * length of an API call, and carried into the task a call starts. Every event recorded meanwhile names them; what the
 * manager does by itself (takeovers, the sync-set keeper, alerts) names no actor.
 */
public record Actor(String name, Role role, String reason) {
    private static final ThreadLocal<Actor> CURRENT = new ThreadLocal<>();

    /** The actor of the call or task this thread is serving, if any. */
    public static Optional<Actor> current() {
        return Optional.ofNullable(CURRENT.get());
    }

    /** The operator's name, or null when the manager acts by itself. */
    public static String currentName() {
        return current().map(Actor::name).orElse(null);
    }

    /** Set by the access guard when a call begins. */
    public static void set(Actor actor) {
        CURRENT.set(actor);
    }

    /** Cleared by the access guard when a call begins and ends. */
    public static void clear() {
        CURRENT.remove();
    }

    /** Runs work as this actor (or as nobody) on the current thread, then restores what was there. */
    public static <T> T as(Actor actor, Callable<T> work) throws Exception {
        Actor before = CURRENT.get();
        CURRENT.set(actor);
        try {
            return work.call();
        } finally {
            if (before == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(before);
            }
        }
    }

    /** Wraps work so that it runs as the actor of the thread that wrapped it (a task started by an API call). */
    public static Runnable carried(Runnable work) {
        Actor actor = CURRENT.get();
        return () -> {
            try {
                as(actor, () -> {
                    work.run();
                    return null;
                });
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
    }
}
