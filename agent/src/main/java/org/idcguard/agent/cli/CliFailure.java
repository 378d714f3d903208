package org.idcguard.agent.cli;

/** A command that could not do what it was asked; its message is printed alone on stderr. */
public class CliFailure extends RuntimeException {
    private final int exitCode;

    public CliFailure(String message) {
        this(message, 1);
    }

    public CliFailure(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
