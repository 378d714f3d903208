package org.idcguard.model;

/** Where one node of a group goes: a computer of an IDC, a port, and whether it starts as primary. */
public record PlannedNode(String group, String name, String idc, String address, int port, String role) {
}
