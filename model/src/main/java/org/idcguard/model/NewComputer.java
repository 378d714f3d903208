package org.idcguard.model;

/**
 * A request to register a computer.
 *
 * @param agentEndpoint the node agent's base URL; when null, the default port on the address
 * @param idc           the IDC to bind it to at once, or null
 */
public record NewComputer(String address, String agentEndpoint, String idc) {

    /** The port a node agent listens on unless told otherwise. */
    public static final int DEFAULT_AGENT_PORT = 7481;

    public String endpointOrDefault() {
        return agentEndpoint == null || agentEndpoint.isBlank()
                ? defaultEndpoint(address) : agentEndpoint;
    }

    public static String defaultEndpoint(String address) {
        return "https://" + address + ":" + DEFAULT_AGENT_PORT;
    }
}
