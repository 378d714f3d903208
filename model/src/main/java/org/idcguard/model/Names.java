package org.idcguard.model;

import java.util.regex.Pattern;

/**
 * The one rule for names of IDCs, clusters and the like: they end up in file names, SQL identifiers
 * and URLs, so they are kept to letters, digits, '-' and '_'.
 */
public final class Names {
    public static final int MAX_LENGTH = 32;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*");

    private Names() {
    }

    /** @throws InvalidInput when value is not a valid name; what is the noun phrase used in the sentence */
    public static void check(String field, String what, String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidInput(field, what + " is required.");
        }
        if (value.length() > MAX_LENGTH) {
            throw new InvalidInput(field, what + " may have at most " + MAX_LENGTH + " characters.");
        }
        if (!NAME.matcher(value).matches()) {
            throw new InvalidInput(field, what + " may use only letters, digits, '-' and '_', and must start with a letter or digit.");
        }
    }

    /** A value cut to a length fit for quoting in a sentence. */
    public static String shorten(String value) {
        return value.length() <= 40 ? value : value.substring(0, 40) + "…";
    }
}
