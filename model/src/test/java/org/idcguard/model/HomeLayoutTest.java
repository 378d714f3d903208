package org.idcguard.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class HomeLayoutTest {

    @Test
    void anExplicitHomeWinsOverEverything() {
        assertEquals(Path.of("/srv/guard"), HomeLayout.resolve(Path.of("/srv/guard"), "/env/home", "/home/dba", "/home/from-passwd").root());
    }

    @Test
    void idcguardHomeWinsOverTheUsersHome() {
        assertEquals(Path.of("/env/home"), HomeLayout.resolve(null, "/env/home", "/home/dba", "/home/from-passwd").root());
    }

    @Test
    void theTildeIsDollarHomeNotThePasswordFilesHome() {
        // under sudo -E or with HOME changed, user.home still names the password file's home
        assertEquals(Path.of("/home/dba/.idcguard"), HomeLayout.resolve(null, null, "/home/dba", "/home/from-passwd").root());
        assertEquals(Path.of("/home/dba/.idcguard"), HomeLayout.resolve(null, " ", "/home/dba", "/home/from-passwd").root());
    }

    @Test
    void withoutHomeTheJvmsUserHomeServes() {
        assertEquals(Path.of("/home/from-passwd/.idcguard"), HomeLayout.resolve(null, null, null, "/home/from-passwd").root());
    }
}
