package org.idcguard.views.common;

import org.idcguard.model.ApiException;

/** Turns any failure into the sentence the DBA sees. */
public final class Failures {
    private Failures() {
    }

    public static String sentence(Throwable failure) {
        Throwable t = failure;
        while (!(t instanceof ApiException) && t.getCause() != null) {
            t = t.getCause();
        }
        String message = t.getMessage();
        return message == null || message.isBlank() ? "Something went wrong: " + t.getClass().getSimpleName() + "." : message;
    }

    /** The request field the failure is about, or null. */
    public static String field(Throwable failure) {
        return failure instanceof ApiException api ? api.field() : null;
    }

    public static boolean managerUnreachable(Throwable failure) {
        return failure instanceof ApiException api && api.isUnreachable();
    }
}
