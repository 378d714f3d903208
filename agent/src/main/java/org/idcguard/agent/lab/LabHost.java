package org.idcguard.agent.lab;

/**
 * One host of the lab: a network namespace with its own address on the lab bridge. {@code idc} is the IDC of a
 * computer, null for the manager's site and the application hosts; {@code city} is the city the host stands in (a
 * computer's IDC's city, or the city of an application host inside one), null for a host outside every city.
 */
public record LabHost(String name, String address, String idc, String city) {
    public String namespace() {
        return "idcg-lab-" + name;
    }

    /** The host side of the host's veth pair, on the bridge (at most 15 characters). */
    String hostLink() {
        return "idcgl-" + name;
    }

    public boolean isComputer() {
        return idc != null;
    }

    public boolean isIn(String city) {
        return city != null && city.equals(this.city);
    }
}
