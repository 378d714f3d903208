package org.idcguard.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class IdcRulesTest {
    private final IdcRules rules = new IdcRules(CityCatalog.bundled());

    @Test
    void acceptsCatalogueCityAndNormalisesItsSpelling() {
        Idc checked = rules.check(new Idc("IDC1", "guangdong", " shenzhen "));
        assertEquals(new Idc("IDC1", "Guangdong", "Shenzhen"), checked);
    }

    @Test
    void refusesCityOfAnotherProvince() {
        InvalidInput e = assertThrows(InvalidInput.class, () -> rules.check(new Idc("IDC1", "Guangdong", "Hangzhou")));
        assertEquals("city", e.field());
        assertEquals("'Hangzhou' is not a city of Guangdong.", e.getMessage());
    }

    @Test
    void refusesUnknownProvince() {
        InvalidInput e = assertThrows(InvalidInput.class, () -> rules.check(new Idc("IDC1", "Atlantis", "Shenzhen")));
        assertEquals("province", e.field());
    }

    @Test
    void refusesNamesWithQuotesSqlOrExcessLength() {
        for (String bad : new String[] {"", "a'b", "x; drop table idc", "-lead", "a".repeat(33), "名字"}) {
            InvalidInput e = assertThrows(InvalidInput.class, () -> rules.check(new Idc(bad, "Guangdong", "Shenzhen")), bad);
            assertEquals("name", e.field());
        }
    }
}
