package org.idcguard.model;

/** A drill asked of the manager: which fault, on which IDC ("primary" is not a name: the IDC is named), how many rounds. */
public record DrillRequest(String fault, String idc, int rounds) {
}
