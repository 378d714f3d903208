package org.idcguard.agent.manager.cluster;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.idcguard.agent.http.ApiFailure;
import org.idcguard.agent.manager.ComputerRepository;
import org.idcguard.agent.manager.IdcRepository;
import org.idcguard.model.ClusterPlan;
import org.idcguard.model.ClusterRequest;
import org.idcguard.model.Computer;
import org.idcguard.model.ComputerStatus;
import org.idcguard.model.Idc;
import org.idcguard.model.InstanceSpec;
import org.idcguard.model.InvalidInput;
import org.idcguard.model.Names;
import org.idcguard.model.PlannedNode;

/**
 * Checks a creation request against what the manager knows, then places every group's nodes: each group has
 * nodesPerIdc nodes on distinct computers of each IDC, its primary in the primary IDC, and groups are spread
 * over the computers in turn so no computer carries every primary. A DR IDC in another city adds drNodes asynchronous
 * standbys per group.
 */
public final class ClusterPlanner {
    public static final int FIRST_PORT = 15432;
    public static final int MAX_SHARDS = 32;
    public static final int MAX_NODES_PER_IDC = 4;
    private static final Pattern SQL_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final Set<String> RESERVED = Set.of("postgres", "template0", "template1", "public", "idcguard_admin");
    private final IdcRepository idcs = new IdcRepository();
    private final ComputerRepository computers = new ComputerRepository();
    private final ClusterRepository clusters = new ClusterRepository();

    /** The plan for this request, or an {@link ApiFailure} / {@link InvalidInput} saying the first thing wrong. */
    public ClusterPlan plan(Connection c, ClusterRequest request) throws SQLException {
        checkShape(request);
        if (clusters.findIgnoringCase(c, request.name()).isPresent()) {
            throw ApiFailure.conflict("name", "A cluster named " + request.name() + " already exists.");
        }
        Idc primary = idc(c, request.primaryIdc(), "primaryIdc");
        Idc backup = idc(c, request.backupIdc(), "backupIdc");
        if (primary.name().equals(backup.name())) {
            throw new InvalidInput("backupIdc", "The backup IDC must differ from the primary IDC.");
        }
        if (request.hasDr() && (request.drIdc().equals(primary.name()) || request.drIdc().equals(backup.name()))) {
            throw new InvalidInput("drIdc", "The DR IDC must differ from the primary and backup IDCs.");
        }
        for (Idc idc : List.of(primary, backup)) {
            if (!idc.city().equalsIgnoreCase(request.city().strip())) {
                throw new ApiFailure(422, "IDC " + idc.name() + " is in " + idc.city() + ", not in " + request.city()
                        + ": an intra-city cluster needs two IDCs of one city.", idc == primary ? "primaryIdc" : "backupIdc");
            }
        }
        Optional<Idc> dr = Optional.empty();
        if (request.hasDr()) {
            Idc d = idc(c, request.drIdc(), "drIdc");
            if (d.city().equalsIgnoreCase(request.city().strip())) {
                throw new ApiFailure(422, "IDC " + d.name() + " is in " + d.city() + ", the cluster's own city: the DR IDC "
                        + "must stand in another city.", "drIdc");
            }
            dr = Optional.of(d);
        }
        Map<String, List<Computer>> byIdc = usableComputers(c, request, primary, backup, dr);
        return place(c, request, byIdc, primary.name(), backup.name(), dr.map(Idc::name));
    }

    /**
     * The DR standbys a running cluster gets when a DR city is added: drNodes per group on distinct computers of the
     * DR IDC, named after the group's last node, each on a free port.
     */
    public List<PlannedNode> planDr(Connection c, ClusterRecord cluster, String drIdc, int drNodes) throws SQLException {
        if (drNodes < 1 || drNodes > MAX_NODES_PER_IDC) {
            throw new InvalidInput("drNodes", "Each group has 1 to " + MAX_NODES_PER_IDC + " standbys in the DR IDC.");
        }
        Idc dr = idc(c, drIdc, "drIdc");
        if (dr.city().equalsIgnoreCase(cluster.city())) {
            throw new ApiFailure(422, "IDC " + dr.name() + " is in " + dr.city() + ", the cluster's own city: the DR IDC "
                    + "must stand in another city.", "drIdc");
        }
        List<NodeRecord> nodes = clusters.nodes(c, cluster.name());
        if (ClusterRecord.idcsOf(nodes).contains(dr.name())) {
            throw new InvalidInput("drIdc", "Cluster " + cluster.name() + " already has nodes in " + dr.name() + ".");
        }
        List<Computer> pool = computers.all(c).stream().filter(x -> dr.name().equals(x.idc()))
                .filter(x -> x.status() == ComputerStatus.REACHABLE && x.facts().hasPostgres()).toList();
        if (pool.size() < drNodes) {
            throw new ApiFailure(422, "IDC " + dr.name() + " has " + pool.size() + " reachable computer" + (pool.size() == 1 ? "" : "s")
                    + " with PostgreSQL; " + drNodes + " are needed, one for each DR standby of a group.", "drIdc");
        }
        Map<String, Integer> nextPort = new HashMap<>();
        List<PlannedNode> planned = new ArrayList<>();
        List<String> groups = clusters.groups(c, cluster.name()).stream().map(GroupRecord::name).toList();
        String prefix = cluster.name().toLowerCase();
        for (int g = 0; g < groups.size(); g++) {
            String group = groups.get(g);
            int next = nodes.stream().filter(n -> n.group().equals(group)).mapToInt(n -> suffix(n.name())).max().orElse(0) + 1;
            for (int j = 0; j < drNodes; j++) {
                Computer computer = pool.get((g + j) % pool.size());
                planned.add(new PlannedNode(group, prefix + "-" + group + "-" + next++, dr.name(), computer.address(),
                        freePort(c, computer.address(), nextPort), InstanceSpec.STANDBY));
            }
        }
        return planned;
    }

    private static int suffix(String nodeName) {
        try {
            return Integer.parseInt(nodeName.substring(nodeName.lastIndexOf('-') + 1));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static void checkShape(ClusterRequest r) {
        Names.check("name", "A cluster name", r.name());
        if (r.kind() != null && !r.kind().isBlank() && !ClusterRequest.INTRA_CITY.equals(r.kind())
                && !ClusterRecord.CROSS_CITY.equals(r.kind())) {
            throw new InvalidInput("kind", "The cluster kind is intra-city, or cross-city with a DR IDC.");
        }
        if (ClusterRecord.CROSS_CITY.equals(r.kind()) && !r.hasDr()) {
            throw new InvalidInput("drIdc", "A cross-city cluster needs a DR IDC in another city.");
        }
        if (r.hasDr() && (r.drNodesOrDefault() < 1 || r.drNodesOrDefault() > MAX_NODES_PER_IDC)) {
            throw new InvalidInput("drNodes", "Each group has 1 to " + MAX_NODES_PER_IDC + " standbys in the DR IDC.");
        }
        if (r.city() == null || r.city().isBlank()) {
            throw new InvalidInput("city", "Choose the city of the cluster.");
        }
        if (r.shardsOrDefault() < 1 || r.shardsOrDefault() > MAX_SHARDS) {
            throw new InvalidInput("shards", "A cluster has 1 to " + MAX_SHARDS + " storage shards.");
        }
        if (r.nodesPerIdcOrDefault() < 1 || r.nodesPerIdcOrDefault() > MAX_NODES_PER_IDC) {
            throw new InvalidInput("nodesPerIdc", "Each group has 1 to " + MAX_NODES_PER_IDC + " nodes in each IDC.");
        }
        sqlName("database", "The database name", r.databaseOrDefault());
        sqlName("appUser", "The application user", r.appUserOrDefault());
        if (!Set.of("available", "strict").contains(r.syncPolicyOrDefault())) {
            throw new InvalidInput("syncPolicy", "The sync policy is available or strict.");
        }
        org.idcguard.model.ClientNetworks.check(r.clientsOrEmpty()); // refused here, before anything is recorded
    }

    private static void sqlName(String field, String what, String value) {
        if (!SQL_NAME.matcher(value).matches() || RESERVED.contains(value)) {
            throw new InvalidInput(field, what + " must be lower-case letters, digits and '_' (not a reserved name).");
        }
    }

    private Idc idc(Connection c, String name, String field) throws SQLException {
        if (name == null || name.isBlank()) {
            throw new InvalidInput(field, "primaryIdc".equals(field) ? "Choose the primary IDC." : "Choose the backup IDC.");
        }
        return idcs.find(c, name).orElseThrow(() -> new ApiFailure(422, "There is no IDC named " + Names.shorten(name) + ".", field));
    }

    /** The chosen (or all) computers of each IDC that can take nodes; refuses when an IDC has too few. */
    private Map<String, List<Computer>> usableComputers(Connection c, ClusterRequest r, Idc primary, Idc backup, Optional<Idc> dr)
            throws SQLException {
        List<Computer> all = computers.all(c);
        Set<String> chosen = new HashSet<>(r.computersOrEmpty());
        List<Idc> used = new ArrayList<>(List.of(primary, backup));
        dr.ifPresent(used::add);
        for (String address : chosen) {
            Computer computer = all.stream().filter(x -> x.address().equals(address)).findFirst()
                    .orElseThrow(() -> new ApiFailure(422, "There is no computer " + Names.shorten(address) + ".", "computers"));
            if (used.stream().noneMatch(i -> i.name().equals(computer.idc()))) {
                throw new ApiFailure(422, "Computer " + address + " is not bound to " + primary.name() + ", " + backup.name()
                        + dr.map(d -> " or " + d.name()).orElse("") + ".", "computers");
            }
        }
        Map<String, List<Computer>> byIdc = new HashMap<>();
        for (Idc idc : used) {
            int needed = dr.isPresent() && idc == dr.get() ? r.drNodesOrDefault() : r.nodesPerIdcOrDefault();
            List<Computer> usable = all.stream()
                    .filter(x -> idc.name().equals(x.idc()))
                    .filter(x -> chosen.isEmpty() || chosen.contains(x.address()))
                    .filter(x -> x.status() == ComputerStatus.REACHABLE && x.facts().hasPostgres())
                    .toList();
            if (usable.size() < needed) {
                throw new ApiFailure(422, "IDC " + idc.name() + " has " + usable.size() + " reachable computer"
                        + (usable.size() == 1 ? "" : "s") + " with PostgreSQL" + (chosen.isEmpty() ? "" : " among those chosen")
                        + "; " + needed + " are needed, one for each node of a group in that IDC.", "computers");
            }
            byIdc.put(idc.name(), usable);
        }
        return byIdc;
    }

    private ClusterPlan place(Connection c, ClusterRequest r, Map<String, List<Computer>> byIdc, String primaryIdc,
                              String backupIdc, Optional<String> drIdc) throws SQLException {
        List<String> groups = new ArrayList<>();
        groups.add("coordinator");
        for (int s = 1; s <= r.shardsOrDefault(); s++) {
            groups.add("shard" + s);
        }
        Map<String, Integer> nextPort = new HashMap<>();
        List<PlannedNode> nodes = new ArrayList<>();
        int k = r.nodesPerIdcOrDefault();
        String prefix = r.name().toLowerCase();
        for (int g = 0; g < groups.size(); g++) {
            int n = 1;
            List<String> idcs = new ArrayList<>(List.of(primaryIdc, backupIdc));
            drIdc.ifPresent(idcs::add);
            for (String idc : idcs) {
                List<Computer> pool = byIdc.get(idc);
                int count = drIdc.isPresent() && idc.equals(drIdc.get()) ? r.drNodesOrDefault() : k;
                for (int j = 0; j < count; j++) {
                    // group g starts at computer g: primaries (j = 0) rotate over the primary IDC's computers
                    Computer computer = pool.get((g + j) % pool.size());
                    String role = idc.equals(primaryIdc) && j == 0 ? InstanceSpec.PRIMARY : InstanceSpec.STANDBY;
                    nodes.add(new PlannedNode(groups.get(g), prefix + "-" + groups.get(g) + "-" + n++, idc, computer.address(),
                            freePort(c, computer.address(), nextPort), role));
                }
            }
        }
        return new ClusterPlan(r, groups, nodes);
    }

    private int freePort(Connection c, String address, Map<String, Integer> next) throws SQLException {
        List<Integer> used = clusters.portsOn(c, address);
        int port = next.getOrDefault(address, FIRST_PORT);
        while (used.contains(port)) {
            port++;
        }
        next.put(address, port + 1);
        return port;
    }
}
