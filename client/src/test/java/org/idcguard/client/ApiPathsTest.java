package org.idcguard.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ApiPathsTest {

    @Test
    void aNameCannotChangeWhichResourceIsAddressed() {
        assertEquals("/api/clusters/a%2Fb%20c/dr", ApiPaths.cluster("a/b c", "dr"));
        assertEquals("/api/idcs/..%3Fx%3D1/faults", ApiPaths.idcFaults("..?x=1"));
        assertEquals("/api/clusters/s/route?bind=10.0.0.1%3A6432", ApiPaths.query(ApiPaths.cluster("s", "route"), "bind", "10.0.0.1:6432"));
        assertEquals("/api/drills?cluster=x%26y", ApiPaths.query(ApiPaths.DRILLS, "cluster", "x&y"));
        assertEquals("/api/alerts", ApiPaths.query(ApiPaths.ALERTS, "open", null));
    }

    @Test
    void aRefusalBecomesTheManagersSentence() {
        var refused = ManagerHttp.refusal(new ManagerHttp.Answer(409, "{\"error\":\"The IDC is in use.\",\"field\":\"name\"}"));
        assertEquals(409, refused.status());
        assertEquals("The IDC is in use.", refused.getMessage());
        assertEquals("name", refused.field());
        assertEquals("The manager answered HTTP 502.", ManagerHttp.refusal(new ManagerHttp.Answer(502, "<html>")).getMessage());
    }
}
