package org.idcguard.model;

/**
 * Where alerts go besides the console.
 *
 * @param command a shell command run for each new alert with the alert as JSON on its standard input (to forward it
 *                to mail or a pager), or null for none
 */
public record AlertSettings(String command) {
}
