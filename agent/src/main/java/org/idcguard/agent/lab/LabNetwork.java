package org.idcguard.agent.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The lab's network on one machine: a bridge and one network namespace per host, each joined to the bridge by a veth
 * pair, so every computer, the manager's site and the application hosts have their own address and their own network
 * stack. The main city (Shenzhen) holds IDC1 and IDC2 and an application host of its own; the DR city (Guangzhou) holds
 * IDC3; the manager's site and the other application host stand outside both. Faults are nftables tables inside the namespaces: packets are dropped, never refused, so a lost IDC is a
 * black hole as it is between real sites. The workstation (this namespace) reaches every host through the bridge.
 */
public final class LabNetwork {
    public static final String BRIDGE = "idcg-lab-br";
    public static final String WORKSTATION_ADDRESS = "10.77.0.1";
    static final String PREFIX = "/16";
    /** The nftables table every lab fault lives in, one per namespace; restoring deletes it. */
    static final String FAULT_TABLE = "idcg_lab_fault";
    public static final String MAIN_CITY = "Shenzhen";
    public static final String DR_CITY = "Guangzhou";
    public static final List<LabHost> HOSTS = List.of(
            new LabHost("mgr", "10.77.9.1", null, null),
            new LabHost("c11", "10.77.1.1", "IDC1", MAIN_CITY),
            new LabHost("c12", "10.77.1.2", "IDC1", MAIN_CITY),
            new LabHost("c21", "10.77.2.1", "IDC2", MAIN_CITY),
            new LabHost("c22", "10.77.2.2", "IDC2", MAIN_CITY),
            new LabHost("c31", "10.77.3.1", "IDC3", DR_CITY),
            new LabHost("app", "10.77.8.1", null, null),
            new LabHost("cityapp", "10.77.1.9", null, MAIN_CITY));

    private LabNetwork() {
    }

    public static LabHost manager() {
        return host("mgr");
    }

    /** The application host outside every city (10.77.8.1). */
    public static LabHost application() {
        return host("app");
    }

    /** The application host inside the main city (10.77.1.9): it shares the fate of the main city's network. */
    public static LabHost cityApplication() {
        return host("cityapp");
    }

    public static LabHost host(String name) {
        return HOSTS.stream().filter(h -> h.name().equals(name)).findFirst().orElseThrow();
    }

    public static List<LabHost> computers() {
        return HOSTS.stream().filter(LabHost::isComputer).toList();
    }

    public static List<LabHost> computersOf(String idc) {
        List<LabHost> hosts = computers().stream().filter(h -> h.idc().equals(idc)).toList();
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("The lab has no IDC '" + idc + "': it has " + and(idcs()) + ".");
        }
        return hosts;
    }

    /** The lab's IDCs, in the order of their computers. */
    public static List<String> idcs() {
        return computers().stream().map(LabHost::idc).distinct().toList();
    }

    /** The city of one of the lab's IDCs. */
    public static String cityOf(String idc) {
        return computersOf(idc).get(0).city();
    }

    /** The lab's cities, the main city first. */
    public static List<String> cities() {
        return HOSTS.stream().map(LabHost::city).filter(java.util.Objects::nonNull).distinct().toList();
    }

    /** Every host standing in the city: its computers and any application host inside it. */
    public static List<LabHost> hostsOf(String city) {
        List<LabHost> hosts = HOSTS.stream().filter(h -> h.isIn(city)).toList();
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("The lab has no city '" + city + "': it has " + and(cities()) + ".");
        }
        return hosts;
    }

    /** Every lab address outside the city: the other hosts' and the workstation's. */
    public static List<String> addressesOutside(String city) {
        List<String> outside = new ArrayList<>(HOSTS.stream().filter(h -> !h.isIn(city)).map(LabHost::address).toList());
        outside.add(WORKSTATION_ADDRESS);
        return outside;
    }

    /**
     * Cuts the city off: each of its hosts drops every packet to and from every lab address outside the city (the
     * manager's site, the other city, the outside application host, the workstation), while the city's hosts still
     * talk to each other. What a city whose links to the world are all cut looks like from both sides.
     */
    public static void cutCity(String city) {
        List<LabHost> hosts = hostsOf(city);
        List<String> outside = addressesOutside(city);
        hosts.forEach(h -> cut(h, outside));
    }

    private static String and(List<String> names) {
        return names.size() <= 1 ? String.join("", names)
                : String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.get(names.size() - 1);
    }

    /** Whether this process may build a lab: root, with ip and nft at hand. Empty when it may, else why not. */
    public static java.util.Optional<String> whyNot() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return java.util.Optional.of("The lab needs root: it creates network namespaces, a bridge and nftables rules.");
        }
        for (String tool : List.of("ip", "nft")) {
            if (run(List.of("sh", "-c", "command -v " + tool)).exit() != 0) {
                return java.util.Optional.of("The lab needs the '" + tool + "' command (packages iproute2 and nftables).");
            }
        }
        return java.util.Optional.empty();
    }

    public static boolean isUp() {
        return run(List.of("ip", "link", "show", BRIDGE)).exit() == 0;
    }

    /** Builds bridge, namespaces and links; the caller has checked that no lab is up. */
    public static void build() {
        must("ip", "link", "add", BRIDGE, "type", "bridge");
        must("ip", "addr", "add", WORKSTATION_ADDRESS + PREFIX, "dev", BRIDGE);
        must("ip", "link", "set", BRIDGE, "up");
        for (LabHost h : HOSTS) {
            must("ip", "netns", "add", h.namespace());
            must("ip", "link", "add", h.hostLink(), "type", "veth", "peer", "name", "eth0", "netns", h.namespace());
            must("ip", "link", "set", h.hostLink(), "master", BRIDGE, "up");
            must("ip", "-n", h.namespace(), "addr", "add", h.address() + PREFIX, "dev", "eth0");
            must("ip", "-n", h.namespace(), "link", "set", "eth0", "up");
            must("ip", "-n", h.namespace(), "link", "set", "lo", "up");
        }
    }

    /** Removes every namespace, link and the bridge that exist; what is already gone is skipped. */
    public static void tearDown() {
        for (LabHost h : HOSTS) {
            killAll(h);
            run(List.of("ip", "netns", "delete", h.namespace()));
            run(List.of("ip", "link", "delete", h.hostLink()));
        }
        run(List.of("ip", "link", "delete", BRIDGE));
    }

    /** SIGKILLs every process in the host's namespace (node agent, PostgreSQL and anything else): its power cut. */
    public static int killAll(LabHost host) {
        Result pids = run(List.of("ip", "netns", "pids", host.namespace()));
        if (pids.exit() != 0 || pids.output().isBlank()) {
            return 0;
        }
        List<ProcessHandle> victims = pids.output().lines().map(String::strip).filter(s -> s.matches("\\d+"))
                .map(s -> ProcessHandle.of(Long.parseLong(s))).flatMap(java.util.Optional::stream).toList();
        victims.forEach(ProcessHandle::destroyForcibly);
        victims.forEach(p -> p.onExit().join());
        return victims.size();
    }

    /** Drops every packet in and out of the host except its own loopback: a black hole to everyone else. */
    public static void blackHole(LabHost host) {
        nftInto(host, "table inet " + FAULT_TABLE + " {\n"
                + " chain in { type filter hook input priority 0; policy drop; iifname \"lo\" accept; }\n"
                + " chain out { type filter hook output priority 0; policy drop; oifname \"lo\" accept; }\n}\n");
    }

    /**
     * Darkens an IDC at one moment: every host's packets dropped first (milliseconds apart), then, for a power-off,
     * every process killed. Killing host by host first would let the last host answer for seconds after the first
     * went dark, which is a slow partition of the IDC, not the loss of it.
     */
    public static void darken(List<LabHost> hosts, boolean powerOff) {
        hosts.forEach(LabNetwork::blackHole);
        if (powerOff) {
            hosts.parallelStream().forEach(LabNetwork::killAll);
        }
    }

    /** Drops the host's traffic to and from these addresses only: a cut of one path, the rest still talk. */
    public static void cut(LabHost host, List<String> addresses) {
        String set = addresses.stream().collect(Collectors.joining(", ", "{ ", " }"));
        nftInto(host, "table inet " + FAULT_TABLE + " {\n"
                + " chain in { type filter hook input priority 0; ip saddr " + set + " drop; }\n"
                + " chain out { type filter hook output priority 0; ip daddr " + set + " drop; }\n}\n");
    }

    /** Removes the host's fault table if it has one. */
    public static void heal(LabHost host) {
        run(List.of("ip", "netns", "exec", host.namespace(), "nft", "delete", "table", "inet", FAULT_TABLE));
    }

    private static void nftInto(LabHost host, String script) {
        heal(host);
        Result r = run(List.of("ip", "netns", "exec", host.namespace(), "nft", "-f", "-"), script);
        if (r.exit() != 0) {
            throw new IllegalStateException("nftables refused the fault on " + host.name() + ": " + r.output().strip());
        }
    }

    /** The command as it runs inside the host's namespace. */
    public static List<String> inside(LabHost host, List<String> command) {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", host.namespace()));
        all.addAll(command);
        return all;
    }

    private static void must(String... command) {
        Result r = run(List.of(command));
        if (r.exit() != 0) {
            throw new IllegalStateException("'" + String.join(" ", command) + "' failed: " + r.output().strip());
        }
    }

    /** How a command ended: its exit code (-1 when it could not run or timed out) and its output. */
    public record Result(int exit, String output) {
    }

    static Result run(List<String> command) {
        return run(command, null);
    }

    static Result run(List<String> command, String input) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (input != null) {
                p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out");
            }
            return new Result(p.exitValue(), output);
        } catch (IOException e) {
            return new Result(-1, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }
}
