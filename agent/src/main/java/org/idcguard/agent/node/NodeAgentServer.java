package org.idcguard.agent.node;

import io.javalin.Javalin;
import java.util.Map;
import org.idcguard.agent.home.AgentHome;
import org.idcguard.agent.http.ApiServer;
import org.idcguard.model.NewComputer;

/**
 * The node agent of one computer: bound to that computer's address, it answers the manager with the
 * host's facts. It owns the PostgreSQL processes of its host and nothing else.
 */
public final class NodeAgentServer implements AutoCloseable {
    private final Javalin http;

    private NodeAgentServer(Javalin http) {
        this.http = http;
    }

    public static NodeAgentServer start(AgentHome home, String address, int port) {
        home.create();
        var dataRoot = home.nodeDir(address);
        try {
            java.nio.file.Files.createDirectories(dataRoot);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("Cannot create " + dataRoot + ": " + e.getMessage(), e);
        }
        HostFacts facts = new HostFacts(address, dataRoot);
        Javalin http = ApiServer.create(home.token());
        http.get("/api/health", ctx -> ctx.json(Map.of("status", "ok", "role", "node", "address", address)));
        http.get("/api/facts", ctx -> ctx.json(facts.read()));
        try {
            http.start(address, port);
        } catch (RuntimeException e) {
            throw new IllegalStateException("The node agent cannot listen on " + address + ":" + port
                    + " (is another agent already serving this computer?).", e);
        }
        return new NodeAgentServer(http);
    }

    public static int defaultPort() {
        return NewComputer.DEFAULT_AGENT_PORT;
    }

    public int port() {
        return http.port();
    }

    @Override
    public void close() {
        http.stop();
    }
}
