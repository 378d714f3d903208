package org.idcguard.model;

/** Input that breaks a rule; the message is one sentence naming what to change, field names the input. */
public class InvalidInput extends RuntimeException {
    private final String field;

    public InvalidInput(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
