package org.idcguard.agent.manager.ha;

import java.util.List;
import org.idcguard.agent.manager.NodeAgentClient;
import org.idcguard.agent.manager.cluster.NodeRecord;
import org.idcguard.model.FollowRequest;

/** {@link Agents} over the node agents' API. */
final class HttpAgents implements Agents {
    private final NodeAgentClient client;

    HttpAgents(NodeAgentClient client) {
        this.client = client;
    }

    @Override
    public Instance instance(NodeRecord node) {
        return client.instances(node.agentEndpoint()).stream().filter(i -> i.name().equals(node.name())).findFirst()
                .map(i -> i.running() ? Instance.RUNNING : Instance.STOPPED).orElse(Instance.MISSING);
    }

    @Override
    public void stop(NodeRecord node, String mode) {
        client.stopInstance(node.agentEndpoint(), node.name(), mode);
    }

    @Override
    public void start(NodeRecord node) {
        client.startInstance(node.agentEndpoint(), node.name());
    }

    @Override
    public String follow(NodeRecord node, NodeRecord upstream, boolean rewind, List<String> clientNetworks) {
        return client.follow(node.agentEndpoint(), node.name(), new FollowRequest(upstream.address(), upstream.port(), rewind,
                clientNetworks)).copiedBy();
    }
}
