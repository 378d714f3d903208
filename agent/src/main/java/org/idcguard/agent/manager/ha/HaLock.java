package org.idcguard.agent.manager.ha;

/**
 * What an HA action holds while it runs, so that two actions never work on the same thing at once: a whole group
 * (failover, switch, sync set, intent), one node (fence, rejoin, start, reattach), or a cluster's shard routing.
 */
record HaLock(Scope scope, String cluster, String name) {

    enum Scope { GROUP, NODE, ROUTING }

    static HaLock group(String cluster, String group) {
        return new HaLock(Scope.GROUP, cluster, group);
    }

    static HaLock node(String cluster, String node) {
        return new HaLock(Scope.NODE, cluster, node);
    }

    static HaLock routing(String cluster) {
        return new HaLock(Scope.ROUTING, cluster, "");
    }

    @Override
    public String toString() {
        return scope.name().toLowerCase() + " " + cluster + (name.isEmpty() ? "" : "/" + name);
    }
}
