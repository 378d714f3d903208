package org.idcguard.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClientNetworksTest {

    @Test
    void networksAreWrittenBackWithTheirHostBitsCleared() {
        assertEquals(List.of("10.77.8.0/24", "192.168.1.7/32", "fd00:1::/64"),
                ClientNetworks.check(List.of(" 10.77.8.9/24", "192.168.1.7/32", "fd00:1:0:0:5::1/64", "10.77.8.0/24")));
        assertEquals(List.of(), ClientNetworks.check(null));
        assertEquals(List.of("::1/128", "fd00::/8", "2001:db8:0:1::/64", "1:0:2:0:3:0:4:0/128"),
                ClientNetworks.check(List.of("::1/128", "fd12::/8", "2001:db8:0:1:ff::/64", "1:0:2:0:3:0:4:0/128")));
    }

    @Test
    void whatIsNotANetworkIsRefusedInOneSentence() {
        assertEquals("'app-host' is not a network: write an address and a prefix length, like 10.77.8.0/24.",
                assertThrows(InvalidInput.class, () -> ClientNetworks.check(List.of("app-host"))).getMessage());
        assertEquals("'10.77.8.0' is not a network: write an address and a prefix length, like 10.77.8.0/24.",
                assertThrows(InvalidInput.class, () -> ClientNetworks.check(List.of("10.77.8.0"))).getMessage());
        assertEquals("The prefix length of 10.77.8.0/33 must be between 0 and 32.",
                assertThrows(InvalidInput.class, () -> ClientNetworks.check(List.of("10.77.8.0/33"))).getMessage());
        assertEquals("0.0.0.0/0 would let every address try a password: name the application hosts' network.",
                assertThrows(InvalidInput.class, () -> ClientNetworks.check(List.of("0.0.0.0/0"))).getMessage());
        assertEquals("clients", assertThrows(InvalidInput.class, () -> ClientNetworks.check(List.of("x/8"))).field());
    }
}
