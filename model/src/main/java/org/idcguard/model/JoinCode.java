package org.idcguard.model;

/**
 * A one-time code by which one computer enrols its node agent with the manager: {@code idcg-SECRET-CAPIN}, where
 * the secret proves the code to the manager and the CA pin (the start of the SHA-256 of the manager's CA
 * certificate) lets the node agent tell the right manager before it sends anything.
 */
public record JoinCode(String code, long expiresMillis) {
    private static final String PREFIX = "idcg-";

    public static String format(String secret, String caPin) {
        return PREFIX + secret + "-" + caPin;
    }

    /** The secret and the CA pin of a code; an {@link InvalidInput} sentence when it is not a code at all. */
    public static String[] parse(String code) {
        String text = code == null ? "" : code.strip();
        String[] parts = text.startsWith(PREFIX) ? text.substring(PREFIX.length()).split("-") : new String[0];
        if (parts.length != 2 || !parts[0].matches("[0-9a-f]{32}") || !parts[1].matches("[0-9a-f]{32}")) {
            throw new InvalidInput("code", "That is not a join code: it looks like idcg-<32 hex>-<32 hex>, as "
                    + "'idcguard computer join-code' prints it.");
        }
        return parts;
    }

    /** What an admin asks for: a code bound to the one address it may enrol, or (address null) to any. */
    public record Wanted(String address) {
    }

    /** What a node agent sends: the code, its address, and a PEM certificate request signed by its new key. */
    public record Request(String code, String address, String certificateRequest) {
    }

    /** What the manager answers: the node's certificate and the manager's CA certificate, both PEM. */
    public record Grant(String certificate, String caCertificate) {
    }
}
