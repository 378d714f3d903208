package org.idcguard.model;

/** What makes a computer registration acceptable before the manager contacts its node agent. */
public final class ComputerRules {
    private ComputerRules() {
    }

    /** Returns the registration with its endpoint filled in. */
    public static NewComputer check(NewComputer computer) {
        if (computer == null) {
            throw new InvalidInput(null, "The request needs a computer with at least an address.");
        }
        Addresses.checkAddress("address", computer.address());
        String endpoint = computer.endpointOrDefault();
        Addresses.checkEndpoint("agentEndpoint", endpoint);
        if (computer.idc() != null) {
            Names.check("idc", "The IDC name", computer.idc());
        }
        return new NewComputer(computer.address(), endpoint, computer.idc());
    }
}
