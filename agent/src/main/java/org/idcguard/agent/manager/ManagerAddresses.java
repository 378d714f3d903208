package org.idcguard.agent.manager;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Where the manager is reached and where its connections come from. It listens on one address or on all
 * (0.0.0.0); it may be told the address others reach it by ({@code --advertise}, e.g. behind NAT or on a host with
 * several networks). Its URL names the advertised address, else the listen address, else loopback. Its
 * certificate and every node's pg_hba name all the addresses its connections may come from.
 */
public record ManagerAddresses(String listen, String advertise) {
    public static final String ANY = "0.0.0.0";

    public ManagerAddresses {
        advertise = advertise == null || advertise.isBlank() ? null : advertise.strip();
    }

    /** The host of the manager's URL. */
    public String urlHost() {
        return advertise != null ? advertise : listen.equals(ANY) ? "127.0.0.1" : listen;
    }

    /**
     * The addresses the manager's connections to PostgreSQL come from, and that its certificate names: loopback,
     * the listen and advertised addresses, and, listening on all, every address of every interface that is up.
     */
    public List<String> own() {
        Set<String> addresses = new LinkedHashSet<>();
        addresses.add("127.0.0.1");
        if (!listen.equals(ANY)) {
            addresses.add(listen);
        } else {
            addresses.addAll(interfaceAddresses());
        }
        if (advertise != null) {
            addresses.add(advertise);
        }
        return List.copyOf(addresses);
    }

    private static List<String> interfaceAddresses() {
        List<String> found = new ArrayList<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp()) {
                    continue;
                }
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (!(address instanceof Inet6Address) && !address.isLoopbackAddress()) {
                        found.add(address.getHostAddress());
                    }
                }
            }
        } catch (SocketException e) {
            throw new IllegalStateException("The manager cannot list its network interfaces: " + e.getMessage(), e);
        }
        return found;
    }
}
