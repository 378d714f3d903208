package org.idcguard.model;

/** A call to the manager that was refused or could not be made; the message is one sentence for the DBA. */
public class ApiException extends RuntimeException {
    private final int status;
    private final String field;

    public ApiException(int status, String message, String field) {
        super(message);
        this.status = status;
        this.field = field;
    }

    /** The HTTP status, or 0 when the manager could not be reached at all. */
    public int status() {
        return status;
    }

    /** The request field the message is about, or null. */
    public String field() {
        return field;
    }

    public boolean isUnreachable() {
        return status == 0;
    }
}
