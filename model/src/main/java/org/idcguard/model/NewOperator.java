package org.idcguard.model;

/** An operator to add: a name and a role ("viewer", "operator" or "admin"). */
public record NewOperator(String name, String role) {
}
