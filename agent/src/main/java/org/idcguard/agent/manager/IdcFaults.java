package org.idcguard.agent.manager;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.idcguard.agent.http.ApiFailure;
import org.idcguard.model.Computer;
import org.idcguard.model.NodeFault;

/**
 * Drill faults on a whole IDC, applied by the node agents of its computers (so drills work across machines): the
 * manager asks them all at once. A partition cuts each of them off from every computer outside the IDC and from
 * the managers; the IDC's computers still talk among themselves. Recorded as events before and after.
 */
public final class IdcFaults {
    private final ComputerService computers;
    private final NodeAgentClient agents;
    private final EventLog events;
    private final List<String> managerAddresses;

    public IdcFaults(ComputerService computers, NodeAgentClient agents, EventLog events, List<String> managerAddresses) {
        this.computers = computers;
        this.agents = agents;
        this.events = events;
        this.managerAddresses = List.copyOf(managerAddresses);
    }

    /** The body of {@code POST /api/idcs/{name}/faults}. */
    public record Request(String kind, int seconds) {
    }

    public List<NodeFault.Struck> apply(String idc, Request request) {
        List<Computer> all = computers.list();
        List<Computer> inIdc = all.stream().filter(c -> idc.equals(c.idc())).toList();
        if (inIdc.isEmpty()) {
            throw ApiFailure.notFound("No computer is bound to an IDC named " + org.idcguard.model.Names.shorten(idc) + ".");
        }
        List<String> peers = new ArrayList<>(managerAddresses);
        all.stream().filter(c -> !idc.equals(c.idc())).map(Computer::address).forEach(peers::add);
        NodeFault fault = new NodeFault(request.kind(), request.seconds(), "partition".equals(request.kind()) ? peers : null);
        fault.check();
        events.record("drill.fault", idc, "The node agents of " + idc + " are asked for a " + fault.kind()
                + (fault.kind().equals("power-off") ? "" : " of " + fault.seconds() + " s") + ".");
        List<CompletableFuture<NodeFault.Struck>> calls = inIdc.stream()
                .map(c -> CompletableFuture.supplyAsync(() -> agents.fault(c.agentEndpoint(), fault))).toList();
        List<NodeFault.Struck> struck = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            try {
                struck.add(calls.get(i).join());
            } catch (RuntimeException e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                refused.add(inIdc.get(i).address() + ": " + cause.getMessage());
            }
        }
        if (!refused.isEmpty()) {
            throw new ApiFailure(409, "The fault did not reach every computer of " + idc + " (" + String.join("; ", refused)
                    + ")" + (struck.isEmpty() ? "." : "; " + struck.size() + " of them took it."), null);
        }
        return struck;
    }

    /** Ends a partition on every computer of the IDC that answers; returns those that did not. */
    public List<String> restore(String idc) {
        List<String> unanswered = new ArrayList<>();
        for (Computer c : computers.list()) {
            if (idc.equals(c.idc())) {
                try {
                    agents.restoreFault(c.agentEndpoint());
                } catch (RuntimeException e) {
                    unanswered.add(c.address());
                }
            }
        }
        return unanswered;
    }
}
