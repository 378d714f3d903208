package org.idcguard.views.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.idcguard.model.ApiException;
import org.idcguard.model.CityCatalog;
import org.idcguard.model.Computer;
import org.idcguard.model.ComputerFacts;
import org.idcguard.model.ComputerStatus;
import org.idcguard.model.Event;
import org.idcguard.model.Idc;
import org.idcguard.model.IdcRules;
import org.idcguard.model.InvalidInput;
import org.idcguard.model.ManagerApi;
import org.idcguard.model.NewComputer;

/** An in-memory manager for console tests, refusing what the real one refuses with the same field names. */
public final class FakeManager implements ManagerApi {
    private final Map<String, Idc> idcs = new TreeMap<>();
    private final Map<String, Computer> computers = new TreeMap<>();
    private final IdcRules rules = new IdcRules(CityCatalog.bundled());
    private final List<String> calls = new ArrayList<>();
    private ApiException refuseNextBind;

    public FakeManager withIdc(String name) {
        idcs.put(name, new Idc(name, "Guangdong", "Shenzhen"));
        return this;
    }

    public FakeManager withComputer(String address, String idc) {
        computers.put(address, new Computer(address, NewComputer.defaultEndpoint(address), idc, ComputerStatus.REACHABLE,
                new ComputerFacts(address, 2, 8L << 30, 100L << 30, "15.18", "/usr/lib/postgresql/15/bin"), 1));
        return this;
    }

    public void refuseNextBind(ApiException refusal) {
        refuseNextBind = refusal;
    }

    /** Names of the mutating calls made, in order. */
    public synchronized List<String> calls() {
        return List.copyOf(calls);
    }

    public synchronized Computer computer(String address) {
        return computers.get(address);
    }

    public synchronized Idc idc(String name) {
        return idcs.get(name);
    }

    @Override
    public synchronized List<Idc> idcs() {
        return List.copyOf(idcs.values());
    }

    @Override
    public synchronized Idc addIdc(Idc idc) {
        calls.add("addIdc " + idc.name());
        Idc checked = check(idc);
        if (idcs.containsKey(checked.name())) {
            throw new ApiException(409, "An IDC named " + idc.name() + " already exists.", "name");
        }
        idcs.put(checked.name(), checked);
        return checked;
    }

    @Override
    public synchronized Idc updateIdc(String name, Idc idc) {
        calls.add("updateIdc " + name);
        Idc checked = check(idc);
        idcs.remove(name);
        idcs.put(checked.name(), checked);
        return checked;
    }

    @Override
    public synchronized void deleteIdc(String name) {
        calls.add("deleteIdc " + name);
        if (computers.values().stream().anyMatch(c -> name.equals(c.idc()))) {
            throw new ApiException(409, "IDC " + name + " still has computers bound to it: unbind them first.", null);
        }
        idcs.remove(name);
    }

    @Override
    public synchronized List<Computer> computers() {
        return List.copyOf(computers.values());
    }

    @Override
    public synchronized Computer addComputer(NewComputer computer) {
        calls.add("addComputer " + computer.address());
        withComputer(computer.address(), computer.idc());
        return computers.get(computer.address());
    }

    @Override
    public synchronized Computer bindComputer(String address, String idc) {
        calls.add("bind " + address + " " + idc);
        if (refuseNextBind != null) {
            ApiException refusal = refuseNextBind;
            refuseNextBind = null;
            throw refusal;
        }
        if (idc != null && !idcs.containsKey(idc)) {
            throw new ApiException(422, "There is no IDC named " + idc + ".", "idc");
        }
        Computer bound = computers.get(address).withIdc(idc);
        computers.put(address, bound);
        return bound;
    }

    @Override
    public synchronized void deleteComputer(String address) {
        calls.add("deleteComputer " + address);
        computers.remove(address);
    }

    @Override
    public List<Event> events(long afterId) {
        return List.of();
    }

    private Idc check(Idc idc) {
        try {
            return rules.check(idc);
        } catch (InvalidInput e) {
            throw new ApiException(400, e.getMessage(), e.field());
        }
    }
}
