package org.idcguard.agent.manager.access;

import org.idcguard.agent.manager.actor.Role;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.idcguard.agent.home.AgentHome;
import org.idcguard.agent.http.Json;
import org.idcguard.agent.manager.server.ManagerServer;
import org.idcguard.agent.testing.ApiCaller;
import org.idcguard.agent.testing.TempHome;
import org.idcguard.agent.tls.CertificateAuthority;
import org.idcguard.agent.tls.TlsIdentity;
import org.idcguard.client.ManagerHttp;
import org.idcguard.model.ManagerTrust;
import org.junit.jupiter.api.Test;

/**
 * Every route of the OpenAPI document × every identity, with the answer each must get: generated from the document,
 * so that a route added without a rule (or a rule that differs from what the document says) fails here. An identity
 * the route admits must not get 401 or 403 (nor a 5xx: the calls name nothing that exists and carry empty bodies, so
 * they are refused for what they ask, never for who asks); one it refuses gets 401 (no valid credential) or 403 (a
 * role that may not) with one sentence, and nothing changes.
 */
class AccessMatrixTest {

    /** Who calls: a bearer token (or none) and a client certificate (or none). */
    private record Caller(String name, String bearer, TlsIdentity certificate, Role role, boolean scrape) {
    }

    @Test
    void everyRouteAnswersEveryIdentityAsItsRuleSays() throws Exception {
        try (TempHome temp = new TempHome(); ManagerServer manager = ManagerServer.start(new AgentHome(temp.dir()), "127.0.0.1", 0)) {
            AgentHome home = new AgentHome(temp.dir());
            ApiCaller api = new ApiCaller(temp.dir());
            JsonNode doc = Json.MAPPER.readTree(ManagerServer.openApi());
            CertificateAuthority ca = CertificateAuthority.loadOrCreate(home);
            TlsIdentity stranger;
            try (TempHome other = new TempHome()) {
                TlsIdentity foreign = CertificateAuthority.loadOrCreate(new AgentHome(other.dir())).issue("idcguard-manager",
                        List.of("127.0.0.1"), List.of());
                stranger = new TlsIdentity(foreign.key(), foreign.certificate(), ca.certificate()); // presents another CA's
            }
            List<Caller> callers = List.of(
                    new Caller("the local admin", api.token(), null, Role.ADMIN, false),
                    new Caller("an admin", session(api, "ada", "admin"), null, Role.ADMIN, false),
                    new Caller("an operator", session(api, "otto", "operator"), null, Role.OPERATOR, false),
                    new Caller("a viewer", session(api, "vera", "viewer"), null, Role.VIEWER, false),
                    new Caller("the scrape identity", home.scrapeToken(), null, null, true),
                    new Caller("a router certificate", null, ca.issue(CertificateAuthority.ROUTER_NAME, List.of(), List.of()), null, false),
                    new Caller("a node certificate", null, ca.issue(CertificateAuthority.nodeName("127.0.0.1"), List.of("127.0.0.1"),
                            List.of()), null, false),
                    new Caller("another CA's certificate", null, stranger, null, false),
                    new Caller("a wrong token", "op." + "0".repeat(64), null, null, false),
                    new Caller("nobody", null, null, null, false));

            List<String[]> routes = new ArrayList<>();
            doc.get("paths").fields().forEachRemaining(p -> p.getValue().fields()
                    .forEachRemaining(op -> routes.add(new String[] {op.getKey().toUpperCase(), p.getKey(), op.getValue().path("x-idcguard-needs").asText()})));
            // a logout ends the caller's session: last
            routes.sort(Comparator.comparing(r -> r[1].equals("/api/logout")));
            assertTrue(routes.size() >= 57, "the document lists every route: " + routes.size());

            List<String> wrong = new ArrayList<>();
            Map<String, Integer> admitted = new LinkedHashMap<>();
            for (String[] route : routes) {
                String method = route[0];
                String path = route[1];
                AccessRules.Need need = AccessRules.of(method, concrete(path)).map(AccessRules.Rule::need).orElse(null);
                if (need == null) {
                    wrong.add(method + " " + path + ": no access rule");
                    continue;
                }
                if (!need.name().toLowerCase().equals(route[2])) {
                    wrong.add(method + " " + path + ": the document says " + route[2] + ", the rule " + need.name().toLowerCase());
                }
                for (Caller caller : callers) {
                    ManagerHttp.Answer answer = call(home, manager, caller, method, concrete(path));
                    int expected = expected(need, caller);
                    boolean ok = expected == 0 ? answer.status() != 401 && answer.status() != 403 && answer.status() < 500
                            : answer.status() == expected && oneSentence(answer.body());
                    if (!ok) {
                        wrong.add(method + " " + path + " by " + caller.name() + ": expected " + (expected == 0 ? "admitted" : expected)
                                + ", got " + answer.status() + " " + answer.body());
                    }
                    if (expected == 0) {
                        admitted.merge(caller.name(), 1, Integer::sum);
                    }
                }
            }
            assertEquals(List.of(), wrong, "answers that differ from the access rules");
            assertTrue(admitted.getOrDefault("a viewer", 0) > 20 && admitted.getOrDefault("the scrape identity", 0) == 5,
                    "the matrix admitted as many as the rules say: " + admitted);
        }
    }

    /** 0 for admitted, else the status the caller must get. */
    private static int expected(AccessRules.Need need, Caller caller) {
        if (need == AccessRules.Need.PUBLIC) {
            return 0;
        }
        if (caller.scrape()) {
            return need == AccessRules.Need.METRICS ? 0 : 403;
        }
        if (caller.role() == null) {
            return 401;
        }
        return need == AccessRules.Need.METRICS || caller.role().mayDo(Role.valueOf(need.name())) ? 0 : 403;
    }

    /** A path naming nothing that exists: every call is refused for what it asks, never acts. */
    private static String concrete(String path) {
        return path.replace("{id}", "999999").replace("{address}", "10.255.255.254").replace("{name}", "nosuch");
    }

    private static ManagerHttp.Answer call(AgentHome home, ManagerServer manager, Caller caller, String method, String path) {
        javax.net.ssl.SSLContext tls = caller.certificate() == null ? ManagerTrust.sslContext(home.caCertificateFile())
                : caller.certificate().sslContext();
        String body = method.equals("GET") || method.equals("DELETE") ? null : "{}";
        try (ManagerHttp http = new ManagerHttp(manager.url(), "", tls, Duration.ofSeconds(10))) {
            return http.exchangeAs(caller.bearer(), method, path, body);
        }
    }

    private static boolean oneSentence(String body) {
        try {
            String error = Json.MAPPER.readTree(body).path("error").asText();
            return error.endsWith(".") && error.length() > 20;
        } catch (Exception e) {
            return false;
        }
    }

    /** Adds an operator with the role and logs them in with their one-time code: their session token. */
    static String session(ApiCaller api, String name, String role) {
        ApiCaller.Answer added = api.post("/api/operators", "{\"name\":\"" + name + "\",\"role\":\"" + role + "\"}");
        assertEquals(201, added.status(), added.body());
        String code = added.json().path("code").asText();
        ApiCaller.Answer login = api.send("POST", "/api/login", "{\"name\":\"" + name + "\",\"password\":\"correct horse battery "
                + name + "\",\"code\":\"" + code + "\"}", null);
        assertEquals(200, login.status(), login.body());
        return login.json().path("token").asText();
    }
}
