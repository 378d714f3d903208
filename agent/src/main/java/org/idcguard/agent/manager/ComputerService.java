package org.idcguard.agent.manager;

import java.util.List;
import org.idcguard.agent.http.ApiFailure;
import org.idcguard.model.Computer;
import org.idcguard.model.ComputerFacts;
import org.idcguard.model.ComputerRules;
import org.idcguard.model.ComputerStatus;
import org.idcguard.model.Names;
import org.idcguard.model.NewComputer;

/** Registering computers (after their node agent answers), binding them to IDCs, removing them. */
public final class ComputerService {
    private final MetadataStore store;
    private final EventLog events;
    private final NodeAgentClient agents;
    private final org.idcguard.agent.manager.Certificates certificates;
    private final IdcRepository idcs = new IdcRepository();
    private final ComputerRepository computers = new ComputerRepository();

    public ComputerService(MetadataStore store, EventLog events, NodeAgentClient agents,
                           org.idcguard.agent.manager.Certificates certificates) {
        this.certificates = certificates;
        this.store = store;
        this.events = events;
        this.agents = agents;
    }

    public List<Computer> list() {
        return store.inTransaction(computers::all);
    }

    public Computer get(String address) {
        return store.inTransaction(c -> computers.find(c, address)).orElseThrow(() -> unknown(address));
    }

    /** Checks the request, asks the node agent for its facts, then stores both; nothing is stored if any step fails. */
    public Computer add(NewComputer requested) {
        NewComputer request = ComputerRules.check(requested);
        store.inTransaction(c -> {
            checkFree(c, request.address());
            checkIdc(c, request.idc());
            return null;
        });
        NodeAgentClient.Probe probe;
        try {
            probe = agents.probeNow(request.agentEndpoint());
        } catch (NodeAgentClient.NodeAgentUnreachable e) {
            throw new ApiFailure(422, e.getMessage(), "agentEndpoint");
        }
        ComputerFacts facts = probe.facts();
        if (!request.address().equals(facts.address())) {
            throw new ApiFailure(422, "The node agent at " + request.agentEndpoint() + " serves computer " + facts.address()
                    + ", not " + request.address() + ".", "agentEndpoint");
        }
        Computer computer = new Computer(request.address(), request.agentEndpoint(), request.idc(), ComputerStatus.REACHABLE,
                facts, System.currentTimeMillis());
        return store.inTransaction(c -> {
            checkFree(c, request.address()); // again inside the writing transaction: another request may have raced us
            checkIdc(c, request.idc());
            computers.insert(c, computer);
            if (probe.certificate() != null) {
                certificates.record(c, probe.certificate(), org.idcguard.agent.manager.Certificates.NODE, computer.address());
            }
            events.record(c, "computer.added", computer.address(), "Computer " + computer.address() + " added"
                    + (computer.isBound() ? " and bound to " + computer.idc() : "") + "; PostgreSQL "
                    + (facts.hasPostgres() ? facts.postgresVersion() + " found" : "not found") + ".");
            return computer;
        });
    }

    /** Binds the computer to an IDC, or unbinds it when idc is null. */
    public Computer bind(String address, String idc) {
        if (idc != null) {
            Names.check("idc", "The IDC name", idc);
        }
        return store.inTransaction(c -> {
            Computer computer = computers.find(c, address).orElseThrow(() -> unknown(address));
            checkIdc(c, idc);
            if (computer.idc() != null && !computer.idc().equals(idc) && computers.countNodesOn(c, address) > 0) {
                throw ApiFailure.conflict("idc", "Computer " + address + " hosts database nodes of a cluster in "
                        + computer.idc() + ": delete that cluster before moving it.");
            }
            computers.bind(c, address, idc);
            events.record(c, "computer.bound", address, idc == null
                    ? "Computer " + address + " unbound from " + computer.idc() + "."
                    : "Computer " + address + " bound to " + idc + ".");
            return computer.withIdc(idc);
        });
    }

    public void delete(String address) {
        store.inTransaction(c -> {
            computers.find(c, address).orElseThrow(() -> unknown(address));
            int nodes = computers.countNodesOn(c, address);
            if (nodes > 0) {
                throw ApiFailure.conflict(null, "Computer " + address + " hosts " + nodes + " database node"
                        + (nodes == 1 ? "" : "s") + ": delete their cluster first.");
            }
            computers.delete(c, address);
            events.record(c, "computer.deleted", address, "Computer " + address + " removed.");
            certificates.revokeHolder(c, org.idcguard.agent.manager.Certificates.NODE, address, null,
                    "computer " + address + " was removed.");
            return null;
        });
    }

    private void checkFree(java.sql.Connection c, String address) throws java.sql.SQLException {
        if (computers.find(c, address).isPresent()) {
            throw ApiFailure.conflict("address", "Computer " + address + " is already registered.");
        }
    }

    private void checkIdc(java.sql.Connection c, String idc) throws java.sql.SQLException {
        if (idc != null && idcs.find(c, idc).isEmpty()) {
            throw new ApiFailure(422, "There is no IDC named " + Names.shorten(idc) + ".", "idc");
        }
    }

    static ApiFailure unknown(String address) {
        return ApiFailure.notFound("There is no computer " + Names.shorten(address) + ".");
    }
}
