package org.idcguard.model;

/**
 * A login: name and password; with code, the first login, which turns the one-time code into the password given.
 */
public record LoginRequest(String name, String password, String code) {
    @Override
    public String toString() {
        return "LoginRequest[name=" + name + "]"; // never the password or the code, in any log
    }
}
