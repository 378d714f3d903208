package org.idcguard.model;

/** A planned IDC switch: move every group's primary of the cluster to the IDC {@code to}. */
public record SwitchRequest(String to) {
}
