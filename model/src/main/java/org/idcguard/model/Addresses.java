package org.idcguard.model;

import java.net.URI;
import java.util.regex.Pattern;

/** Checks computer addresses (IPv4 literals or host names) and node-agent endpoints, without any network lookup. */
public final class Addresses {
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern HOST_LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");

    private Addresses() {
    }

    public static void checkAddress(String field, String address) {
        if (address == null || address.isBlank()) {
            throw new InvalidInput(field, "The computer's address is required.");
        }
        if (!isAddress(address)) {
            throw new InvalidInput(field, "'" + Names.shorten(address) + "' is not an IPv4 address or host name.");
        }
    }

    static boolean isAddress(String address) {
        if (address.length() > 253) {
            return false;
        }
        var ip = IPV4.matcher(address);
        if (ip.matches()) {
            for (int i = 1; i <= 4; i++) {
                if (Integer.parseInt(ip.group(i)) > 255) {
                    return false;
                }
            }
            return true;
        }
        if (address.chars().allMatch(c -> Character.isDigit(c) || c == '.')) {
            return false; // looks numeric but is no IPv4 address, e.g. 300.1.1 or 1.2.3.4.5
        }
        for (String label : address.split("\\.", -1)) {
            if (!HOST_LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }

    public static void checkEndpoint(String field, String endpoint) {
        try {
            URI uri = URI.create(endpoint);
            if (!"https".equals(uri.getScheme()) || uri.getHost() == null
                    || uri.getPort() < 1) {
                throw new IllegalArgumentException();
            }
        } catch (IllegalArgumentException e) {
            throw new InvalidInput(field, "The node-agent endpoint must look like https://ADDRESS:PORT: node agents speak only TLS.");
        }
    }
}
