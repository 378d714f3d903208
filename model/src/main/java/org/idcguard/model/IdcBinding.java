package org.idcguard.model;

/** The body of a computer update: the IDC to bind it to, or null to unbind it. */
public record IdcBinding(String idc) {
}
