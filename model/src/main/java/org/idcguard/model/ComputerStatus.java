package org.idcguard.model;

/** Whether the manager currently hears the computer's node agent. */
public enum ComputerStatus {
    /** Registered, but no probe has answered yet since the manager started. */
    UNKNOWN,
    REACHABLE,
    UNREACHABLE
}
