package org.idcguard.agent.manager.access;

import java.util.List;
import java.util.Optional;

/**
 * Who may call each route of the manager's API: the one table of it. A route missing here is refused to everyone
 * but an admin, and the access-matrix test, which walks the OpenAPI document, fails on it.
 */
public final class AccessRules {
    /** What a route needs: nobody (its own proof, or nothing to hide), the scrape identity or an operator, or a role. */
    public enum Need { PUBLIC, METRICS, VIEWER, OPERATOR, ADMIN }

    public record Rule(String method, String path, Need need) {
        boolean matches(String m, String p) {
            if (!method.equals(m)) {
                return false;
            }
            String[] want = path.split("/", -1);
            String[] got = p.split("/", -1);
            if (want.length != got.length) {
                return false;
            }
            for (int i = 0; i < want.length; i++) {
                if (!(want[i].startsWith("{") && want[i].endsWith("}") && !got[i].isEmpty()) && !want[i].equals(got[i])) {
                    return false;
                }
            }
            return true;
        }
    }

    public static final List<Rule> RULES = List.of(
            // no credential: the enrolling computer's one-time code is its proof, the login's password is its own
            rule("GET /enrol/ca", Need.PUBLIC),
            rule("POST /enrol", Need.PUBLIC),
            rule("POST /api/login", Need.PUBLIC),
            rule("GET /api/health", Need.PUBLIC), // lead and epoch only: how a client finds the leader before it logs in
            rule("GET /metrics", Need.METRICS),
            rule("GET /api/openapi.json", Need.VIEWER),
            rule("GET /api/whoami", Need.VIEWER),
            rule("POST /api/logout", Need.VIEWER),
            rule("GET /api/managers", Need.VIEWER),
            rule("GET /api/idcs", Need.VIEWER),
            rule("POST /api/idcs", Need.OPERATOR),
            rule("GET /api/idcs/{name}", Need.VIEWER),
            rule("PUT /api/idcs/{name}", Need.OPERATOR),
            rule("DELETE /api/idcs/{name}", Need.ADMIN),
            rule("POST /api/idcs/{name}/faults", Need.OPERATOR),
            rule("DELETE /api/idcs/{name}/faults", Need.OPERATOR),
            rule("GET /api/computers", Need.VIEWER),
            rule("POST /api/computers", Need.OPERATOR),
            rule("GET /api/computers/{address}", Need.VIEWER),
            rule("PUT /api/computers/{address}", Need.OPERATOR),
            rule("DELETE /api/computers/{address}", Need.ADMIN),
            rule("POST /api/join-codes", Need.ADMIN), // lets a computer in
            rule("GET /api/clusters", Need.VIEWER),
            rule("POST /api/clusters", Need.OPERATOR),
            rule("GET /api/clusters/{name}", Need.VIEWER), // a viewer gets the application's password masked
            rule("DELETE /api/clusters/{name}", Need.ADMIN),
            rule("POST /api/clusters/{name}/reveal", Need.ADMIN),
            rule("GET /api/clusters/{name}/clients", Need.VIEWER),
            rule("PUT /api/clusters/{name}/clients", Need.ADMIN), // who may connect: a door
            rule("GET /api/clusters/{name}/route", Need.ADMIN), // carries a router certificate's key
            rule("POST /api/clusters/{name}/start", Need.OPERATOR),
            rule("GET /api/clusters/{name}/switch", Need.VIEWER),
            rule("POST /api/clusters/{name}/switch", Need.OPERATOR),
            rule("GET /api/clusters/{name}/dr", Need.VIEWER),
            rule("POST /api/clusters/{name}/dr", Need.OPERATOR),
            rule("GET /api/clusters/{name}/dr/promote", Need.VIEWER),
            rule("POST /api/clusters/{name}/dr/promote", Need.ADMIN),
            rule("POST /api/clusters/{name}/drills", Need.OPERATOR),
            rule("GET /api/drills", Need.VIEWER),
            rule("POST /api/drills", Need.OPERATOR),
            rule("GET /api/drills/running", Need.VIEWER),
            rule("GET /api/drills/{id}", Need.VIEWER),
            rule("GET /api/tasks", Need.VIEWER),
            rule("GET /api/tasks/{id}", Need.VIEWER),
            rule("GET /api/intents", Need.VIEWER),
            rule("GET /api/events", Need.VIEWER),
            rule("GET /api/audit", Need.VIEWER),
            rule("GET /api/alerts", Need.VIEWER),
            rule("POST /api/alerts/{id}/ack", Need.OPERATOR),
            rule("GET /api/settings/ha", Need.VIEWER),
            rule("PUT /api/settings/ha", Need.ADMIN),
            rule("GET /api/settings/dr", Need.VIEWER),
            rule("PUT /api/settings/dr", Need.ADMIN),
            rule("GET /api/settings/alerts", Need.VIEWER),
            rule("PUT /api/settings/alerts", Need.ADMIN), // the alert command runs on the manager's computer
            rule("GET /api/settings/access", Need.VIEWER),
            rule("PUT /api/settings/access", Need.ADMIN),
            rule("GET /api/approvals", Need.VIEWER),
            rule("POST /api/approvals/{id}/approve", Need.ADMIN),
            rule("POST /api/approvals/{id}/reject", Need.ADMIN),
            rule("GET /api/operators", Need.ADMIN),
            rule("POST /api/operators", Need.ADMIN),
            rule("DELETE /api/operators/{name}", Need.ADMIN));

    private AccessRules() {
    }

    private static Rule rule(String route, Need need) {
        String[] parts = route.split(" ", 2);
        return new Rule(parts[0], parts[1], need);
    }

    /** The rule of a request; literal segments win over parameters ("/api/drills/running" over "/api/drills/{id}"). */
    public static Optional<Rule> of(String method, String path) {
        return RULES.stream().filter(r -> r.matches(method, path))
                .min(java.util.Comparator.comparingLong(r -> r.path().chars().filter(ch -> ch == '{').count()));
    }

    /** What a role may not do there, as the end of the 403 sentence. */
    static String what(Need need) {
        return switch (need) {
            case ADMIN -> "only an admin may do this";
            case OPERATOR -> "a viewer may only look: this needs an operator or an admin";
            case METRICS, VIEWER, PUBLIC -> "this needs an operator's session";
        };
    }
}
