package org.idcguard.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AddressesTest {

    @Test
    void acceptsIpv4AndHostNames() {
        for (String ok : new String[] {"127.0.1.1", "10.0.0.255", "db-1.idc1.example", "localhost"}) {
            assertTrue(Addresses.isAddress(ok), ok);
        }
    }

    @Test
    void refusesWhatIsNoAddress() {
        for (String bad : new String[] {"300.1.1.1", "1.2.3", "1.2.3.4.5", "a b", "host_name", "'; drop", "-x.com", "x..y"}) {
            assertFalse(Addresses.isAddress(bad), bad);
        }
    }

    @Test
    void fillsInTheDefaultEndpoint() {
        NewComputer checked = ComputerRules.check(new NewComputer("127.0.1.1", null, null));
        assertEquals("https://127.0.1.1:7481", checked.agentEndpoint());
    }

    @Test
    void refusesMalformedEndpoint() {
        InvalidInput e = assertThrows(InvalidInput.class,
                () -> ComputerRules.check(new NewComputer("127.0.1.1", "ftp://x", null)));
        assertEquals("agentEndpoint", e.field());
    }
}
