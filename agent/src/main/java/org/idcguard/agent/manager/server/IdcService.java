package org.idcguard.agent.manager.server;

import org.idcguard.agent.manager.*;

import java.util.List;
import org.idcguard.agent.http.ApiFailure;
import org.idcguard.model.Idc;
import org.idcguard.model.IdcRules;
import org.idcguard.model.Names;

/** Adding, editing and removing IDCs: each a check and a write in one transaction. */
public final class IdcService {
    private final MetadataStore store;
    private final EventLog events;
    private final IdcRules rules;
    private final IdcRepository idcs = new IdcRepository();
    private final ComputerRepository computers = new ComputerRepository();

    public IdcService(MetadataStore store, EventLog events, IdcRules rules) {
        this.store = store;
        this.events = events;
        this.rules = rules;
    }

    public List<Idc> list() {
        return store.inTransaction(idcs::all);
    }

    public Idc get(String name) {
        return store.inTransaction(c -> idcs.find(c, name)).orElseThrow(() -> unknown(name));
    }

    public Idc add(Idc requested) {
        Idc idc = rules.check(requested);
        return store.inTransaction(c -> {
            if (idcs.findIgnoringCase(c, idc.name()).isPresent()) {
                throw ApiFailure.conflict("name", "An IDC named " + idc.name() + " already exists.");
            }
            idcs.insert(c, idc);
            events.record(c, "idc.added", idc.name(), "IDC " + idc.name() + " added in " + idc.province() + " / " + idc.city() + ".");
            return idc;
        });
    }

    /** Edits province and city, and renames when the body names another free name; bindings follow the rename. */
    public Idc update(String name, Idc requested) {
        Idc idc = rules.check(requested);
        return store.inTransaction(c -> {
            Idc old = idcs.find(c, name).orElseThrow(() -> unknown(name));
            boolean renamed = !old.name().equals(idc.name());
            if (renamed && idcs.findIgnoringCase(c, idc.name()).filter(other -> !other.name().equals(name)).isPresent()) {
                throw ApiFailure.conflict("name", "An IDC named " + idc.name() + " already exists.");
            }
            idcs.update(c, name, idc);
            events.record(c, "idc.updated", idc.name(), "IDC " + name + (renamed ? " renamed to " + idc.name() + " and" : "")
                    + " set to " + idc.province() + " / " + idc.city() + ".");
            return idc;
        });
    }

    public void delete(String name) {
        store.inTransaction(c -> {
            idcs.find(c, name).orElseThrow(() -> unknown(name));
            int usedBy = new org.idcguard.agent.manager.cluster.ClusterRepository().clustersUsing(c, name);
            if (usedBy > 0) {
                throw ApiFailure.conflict(null, "IDC " + name + " is the primary or backup IDC of " + usedBy
                        + " cluster" + (usedBy == 1 ? "" : "s") + ": delete them first.");
            }
            int bound = computers.countBoundTo(c, name);
            if (bound > 0) {
                throw ApiFailure.conflict(null, "IDC " + name + " still has " + bound + " computer" + (bound == 1 ? "" : "s")
                        + " bound to it: unbind them first.");
            }
            idcs.delete(c, name);
            events.record(c, "idc.deleted", name, "IDC " + name + " deleted.");
            return null;
        });
    }

    static ApiFailure unknown(String name) {
        return ApiFailure.notFound("There is no IDC named " + Names.shorten(name) + ".");
    }
}
