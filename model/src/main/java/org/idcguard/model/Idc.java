package org.idcguard.model;

/** A data center: a unique name and the province and city it stands in. */
public record Idc(String name, String province, String city) {
}
