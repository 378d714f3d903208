package org.idcguard.model;

import java.util.regex.Pattern;

/**
 * Hides the password in a connection URI: the libpq form's {@code user:password@} and the JDBC form's
 * {@code password=...}. The console shows URIs masked until the DBA asks; logs and events never carry them unmasked.
 */
public final class UriSecrets {
    public static final String MASK = "••••••";
    private static final Pattern LIBPQ = Pattern.compile("^(postgres(?:ql)?://[^:/@]*:)[^@]*(@)");
    private static final Pattern QUERY = Pattern.compile("([?&]password=)[^&]*");

    private UriSecrets() {
    }

    public static String mask(String uri) {
        if (uri == null) {
            return null;
        }
        String masked = LIBPQ.matcher(uri).replaceFirst("$1" + MASK + "$2");
        return QUERY.matcher(masked).replaceAll("$1" + MASK);
    }
}
