package org.idcguard.agent.http;

/** A refused request: answered with this status and {@code {"error": message, "field": field}}. */
public class ApiFailure extends RuntimeException {
    private final int status;
    private final String field;

    public ApiFailure(int status, String message, String field) {
        super(message);
        this.status = status;
        this.field = field;
    }

    public static ApiFailure notFound(String message) {
        return new ApiFailure(404, message, null);
    }

    public static ApiFailure conflict(String field, String message) {
        return new ApiFailure(409, message, field);
    }

    public int status() {
        return status;
    }

    public String field() {
        return field;
    }
}
