package org.idcguard.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.idcguard.agent.testing.AgentProcess;
import org.idcguard.agent.testing.ApiCaller;
import org.idcguard.agent.testing.TempHome;
import org.idcguard.agent.testing.Waits;
import org.junit.jupiter.api.Test;

/** Acknowledged metadata survives a manager killed with SIGKILL and a normal restart. */
class ManagerSurvivesKillTest {

    @Test
    void acknowledgedWritesSurviveSigkillAndRestart() {
        try (TempHome home = new TempHome()) {
            ApiCaller api = new ApiCaller(home.dir());
            AgentProcess manager = AgentProcess.manager(home.dir());
            try {
                Waits.until(Duration.ofSeconds(30), "the manager answers", api::managerAnswers);
                for (int i = 1; i <= 20; i++) {
                    assertEquals(201, api.post("/api/idcs", "{\"name\":\"K" + i + "\",\"province\":\"Guangdong\",\"city\":\"Shenzhen\"}").status());
                }
                manager.kill();

                manager = AgentProcess.manager(home.dir());
                Waits.until(Duration.ofSeconds(30), "the restarted manager answers", api::managerAnswers);
                assertEquals(20, api.get("/api/idcs").json().size());
                assertEquals(20, api.get("/api/events").json().size());

                manager.close();
                manager = AgentProcess.manager(home.dir());
                Waits.until(Duration.ofSeconds(30), "the manager answers after a clean stop", api::managerAnswers);
                assertEquals(20, api.get("/api/idcs").json().size());
            } finally {
                manager.close();
            }
        }
    }
}
