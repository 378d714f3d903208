package org.idcguard.agent.manager.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.util.List;
import org.idcguard.agent.home.AgentHome;
import org.idcguard.agent.http.ApiFailure;
import org.idcguard.agent.manager.EventLog;
import org.idcguard.agent.manager.MetadataStore;
import org.idcguard.agent.manager.server.ManagerServer;
import org.idcguard.agent.testing.ApiCaller;
import org.idcguard.agent.testing.TempHome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Named operators through the manager's API: a viewer refused a change with a 403 that names what a viewer may not do,
 * and nothing changed; a removed operator's session refused at once; five wrong passwords lock an account; every
 * change names its operator and their reason in the audit trail and its CSV export.
 */
class OperatorsTest {

    @Test
    void rolesRevocationLockoutAndTheAuditTrail() throws Exception {
        try (TempHome temp = new TempHome(); ManagerServer manager = ManagerServer.start(new AgentHome(temp.dir()), "127.0.0.1", 0)) {
            ApiCaller api = new ApiCaller(temp.dir());
            String viewer = AccessMatrixTest.session(api, "vera", "viewer");
            String operator = AccessMatrixTest.session(api, "otto", "operator");

            // a viewer may look, not change: 403 naming it, and no IDC was added
            String idc = "{\"name\":\"IDC9\",\"province\":\"Guangdong\",\"city\":\"Shenzhen\"}";
            ApiCaller.Answer refused = api.send("POST", "/api/idcs", idc, viewer);
            assertEquals(403, refused.status(), refused.body());
            assertEquals("Operator vera is a viewer: a viewer may only look: this needs an operator or an admin.", refused.error());
            assertEquals(0, api.send("GET", "/api/idcs", null, viewer).json().size(), "the refused change changed nothing");
            ApiCaller.Answer notAdmin = api.send("DELETE", "/api/idcs/IDC9", null, operator);
            assertEquals(403, notAdmin.status(), notAdmin.body());
            assertTrue(notAdmin.error().contains("only an admin may do this"), notAdmin.error());

            // an operator's change names them and the reason they gave
            ApiCaller.Answer added = reasoned(api, "POST", "/api/idcs", idc, operator, "CHG-4711 new data center");
            assertEquals(201, added.status(), added.body());
            JsonNode audit = api.send("GET", "/api/audit?operator=otto&kind=idc.", null, viewer).json();
            assertEquals(1, audit.size(), audit.toString());
            assertEquals("otto", audit.get(0).path("actor").asText());
            assertEquals("CHG-4711 new data center", audit.get(0).path("reason").asText());
            ApiCaller.Answer csv = api.send("GET", "/api/audit?format=csv&subject=IDC9", null, viewer);
            assertEquals(200, csv.status());
            assertTrue(csv.body().startsWith("time,operator,reason,kind,subject,message\r\n"), csv.body());
            assertTrue(csv.body().contains(",\"otto\",\"CHG-4711 new data center\",\"idc.added\",\"IDC9\","), csv.body());
            assertEquals(400, reasoned(api, "POST", "/api/idcs", idc, operator, "a\nb").status(), "a reason is one line");

            // a viewer sees the application password masked; whoami says who the session is
            assertEquals("vera", api.send("GET", "/api/whoami", null, viewer).json().path("name").asText());

            // removed: the session is refused at once, with one sentence
            assertEquals(204, api.delete("/api/operators/otto").status());
            ApiCaller.Answer revoked = api.send("GET", "/api/idcs", null, operator);
            assertEquals(401, revoked.status(), revoked.body());
            assertEquals("The credential is wrong, expired or revoked: log in again (./idcguard login NAME).", revoked.error());

            // five wrong passwords lock the account, the right one then too
            for (int i = 0; i < Operators.MAX_FAILED; i++) {
                ApiCaller.Answer wrong = api.send("POST", "/api/login", "{\"name\":\"vera\",\"password\":\"not hers at all\"}", null);
                assertEquals(401, wrong.status(), wrong.body());
                assertEquals("The name or the password is wrong.", wrong.error());
            }
            ApiCaller.Answer locked = api.send("POST", "/api/login", "{\"name\":\"vera\",\"password\":\"correct horse battery vera\"}", null);
            assertEquals(401, locked.status(), locked.body());
            assertTrue(locked.error().startsWith("Operator vera is locked after 5 failed logins until "), locked.error());
            assertTrue(api.get("/api/audit?kind=operator.login-failed").json().size() == 0,
                    "a failed login is no operator's doing: it is in the timeline, not done by anyone");
            assertTrue(api.get("/api/events").body().contains("A login as operator vera was refused."));
        }
    }

    @Test
    void aSessionEndsWhenItExpiresAndACodeWorksOnce(@TempDir Path dir) throws Exception {
        try (MetadataStore store = MetadataStore.open(dir)) {
            Operators operators = new Operators(store, new EventLog(store), "dba");
            String code = operators.add("ann", "operator").code();
            String token = operators.login("ann", "a long enough password", code).token();
            assertEquals("ann", operators.session(token).orElseThrow().name());
            ApiFailure again = org.junit.jupiter.api.Assertions.assertThrows(ApiFailure.class,
                    () -> operators.login("ann", "another long password", code));
            assertEquals(401, again.status(), "a one-time code works once");
            store.inTransaction(c -> {
                try (PreparedStatement st = c.prepareStatement("UPDATE operator_session SET expires_millis = ?")) {
                    st.setLong(1, System.currentTimeMillis() - 1);
                    st.executeUpdate();
                }
                return null;
            });
            assertTrue(operators.session(token).isEmpty(), "an expired session is no one's");
            assertEquals(List.of("dba", "ann"), operators.list().stream().map(o -> o.name()).toList());
            ApiFailure shortPassword = org.junit.jupiter.api.Assertions.assertThrows(ApiFailure.class,
                    () -> operators.login("bob", "short", operators.add("bob", "viewer").code()));
            assertEquals("password", shortPassword.field());
        }
    }

    private static ApiCaller.Answer reasoned(ApiCaller api, String method, String path, String body, String bearer, String reason) {
        return api.sendWithReason(method, path, body, bearer, reason);
    }
}
