package org.idcguard.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class UriSecretsTest {

    @Test
    void hidesThePasswordOfEitherFormAndNothingElse() {
        assertEquals("postgresql://app:••••••@h1:5432,h2:5432/app?target_session_attrs=read-write",
                UriSecrets.mask("postgresql://app:s3cr%40t@h1:5432,h2:5432/app?target_session_attrs=read-write"));
        assertEquals("jdbc:postgresql://h1:5432/app?user=app&password=••••••&targetServerType=primary",
                UriSecrets.mask("jdbc:postgresql://h1:5432/app?user=app&password=x%26y&targetServerType=primary"));
        assertEquals("jdbc:postgresql://h:1/app", UriSecrets.mask("jdbc:postgresql://h:1/app"));
    }
}
