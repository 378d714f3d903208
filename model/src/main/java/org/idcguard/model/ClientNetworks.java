package org.idcguard.model;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The networks a cluster's applications connect from (pg_hba lets them in to the databases, never to replication):
 * each an address and a prefix length, IPv4 or IPv6, written back with the host bits cleared.
 */
public final class ClientNetworks {
    private ClientNetworks() {
    }

    /** The networks checked and normalised, or an {@link InvalidInput} about the first one wrong (field "clients"). */
    public static List<String> check(List<String> given) {
        List<String> networks = new ArrayList<>();
        for (String raw : given == null ? List.<String>of() : given) {
            String n = normalise(raw == null ? "" : raw.strip());
            if (!networks.contains(n)) {
                networks.add(n);
            }
        }
        return List.copyOf(networks);
    }

    static String normalise(String text) {
        int slash = text.indexOf('/');
        String bad = "'" + text + "' is not a network: write an address and a prefix length, like 10.77.8.0/24.";
        if (slash <= 0 || slash == text.length() - 1 || !text.substring(0, slash).matches("[0-9a-fA-F.:]+")) {
            throw new InvalidInput("clients", bad);
        }
        byte[] address;
        int prefix;
        try {
            address = InetAddress.getByName(text.substring(0, slash)).getAddress(); // a literal: no name is looked up
            prefix = Integer.parseInt(text.substring(slash + 1));
        } catch (UnknownHostException | NumberFormatException e) {
            throw new InvalidInput("clients", bad);
        }
        int bits = address.length * 8;
        if (prefix < 0 || prefix > bits) {
            throw new InvalidInput("clients", "The prefix length of " + text + " must be between 0 and " + bits + ".");
        }
        if (prefix == 0) {
            throw new InvalidInput("clients", text + " would let every address try a password: name the application hosts' network.");
        }
        BigInteger value = new BigInteger(1, address);
        BigInteger mask = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE).shiftRight(prefix).not();
        byte[] cleared = value.and(mask).toByteArray();
        byte[] out = new byte[address.length];
        int copy = Math.min(cleared.length, out.length);
        System.arraycopy(cleared, cleared.length - copy, out, out.length - copy, copy);
        if (out.length == 4) {
            return (out[0] & 0xff) + "." + (out[1] & 0xff) + "." + (out[2] & 0xff) + "." + (out[3] & 0xff) + "/" + prefix;
        }
        return compressed(out) + "/" + prefix;
    }

    /** An IPv6 address as people write it: hex groups without leading zeros, the longest run of zero groups as "::". */
    static String compressed(byte[] address) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((address[2 * i] & 0xff) << 8) | (address[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1; // a single zero group is written as 0, not ::
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }
}
