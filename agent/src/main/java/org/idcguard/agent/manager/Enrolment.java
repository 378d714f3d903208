package org.idcguard.agent.manager;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.HexFormat;
import org.idcguard.agent.http.ApiFailure;
import org.idcguard.agent.tls.CertificateAuthority;
import org.idcguard.agent.tls.Pem;
import org.idcguard.model.Addresses;
import org.idcguard.model.JoinCode;

/**
 * Enrolment of computers: the manager hands out one-time join codes, and a node agent that presents one gets its
 * certificate signed by the manager's CA. Only a hash of each secret is stored; a code works once, for an hour.
 */
public final class Enrolment {
    static final Duration CODE_LIFETIME = Duration.ofHours(1);
    private final MetadataStore store;
    private final EventLog events;
    private final CertificateAuthority ca;

    private final Certificates certificates;

    public Enrolment(MetadataStore store, EventLog events, CertificateAuthority ca, Certificates certificates) {
        this.certificates = certificates;
        this.store = store;
        this.events = events;
        this.ca = ca;
    }

    /** A code for any address, or (address given) for that address alone. */
    public JoinCode newCode(String address) {
        String bound = address == null || address.isBlank() ? null : address.strip();
        if (bound != null) {
            Addresses.checkAddress("address", bound);
        }
        byte[] secret = new byte[16];
        new SecureRandom().nextBytes(secret);
        String secretHex = HexFormat.of().formatHex(secret);
        long now = System.currentTimeMillis();
        long expires = now + CODE_LIFETIME.toMillis();
        store.inTransaction(c -> {
            try (PreparedStatement st = c.prepareStatement(
                    "INSERT INTO join_code (secret_hash, created_millis, expires_millis, bound_address) VALUES (?, ?, ?, ?)")) {
                st.setString(1, sha256(secretHex));
                st.setLong(2, now);
                st.setLong(3, expires);
                st.setString(4, bound);
                st.executeUpdate();
            }
            events.record(c, "computer.join-code", bound == null ? "manager" : bound, "A join code was made"
                    + (bound == null ? "" : " for " + bound + " alone") + "; it works once, until "
                    + java.time.Instant.ofEpochMilli(expires) + ".");
            return null;
        });
        return new JoinCode(JoinCode.format(secretHex, caPin()), expires);
    }

    /**
     * Signs the node's request when its code is good, and uses the code up in the same step. The request is checked
     * before the code is spent, so a malformed request does not waste a code.
     */
    public JoinCode.Grant enrol(JoinCode.Request request) {
        String[] code = JoinCode.parse(request.code());
        Addresses.checkAddress("address", request.address());
        if (!code[1].equals(caPin())) {
            throw new ApiFailure(403, "That join code was made by another manager.", "code");
        }
        X509Certificate certificate;
        try {
            certificate = ca.signRequest(request.certificateRequest(), request.address());
        } catch (IllegalArgumentException e) {
            throw new ApiFailure(400, e.getMessage(), "certificateRequest");
        }
        long now = System.currentTimeMillis();
        boolean spent = store.inTransaction(c -> {
            try (PreparedStatement st = c.prepareStatement("UPDATE join_code SET used_millis = ?, used_by = ? "
                    + "WHERE secret_hash = ? AND used_millis IS NULL AND expires_millis > ? "
                    + "AND (bound_address IS NULL OR bound_address = ?)")) {
                st.setLong(1, now);
                st.setString(2, request.address());
                st.setString(3, sha256(code[0]));
                st.setLong(4, now);
                st.setString(5, request.address());
                if (st.executeUpdate() == 0) {
                    return false;
                }
            }
            events.record(c, "computer.enrolled", request.address(), "The node agent of " + request.address()
                    + " enrolled with a join code and holds a certificate of this manager's CA.");
            // enrolling again replaces the computer's certificate: the one it held before admits nobody from now on
            certificates.record(c, certificate, Certificates.NODE, request.address());
            certificates.revokeHolder(c, Certificates.NODE, request.address(), certificate,
                    "computer " + request.address() + " enrolled again and holds a new certificate.");
            return true;
        });
        if (!spent) {
            throw new ApiFailure(403, "That join code is unknown, expired, already used or made for another address: make "
                    + "a new one with 'idcguard computer join-code --address " + request.address() + "'.", "code");
        }
        return new JoinCode.Grant(Pem.write(certificate), Pem.write(ca.certificate()));
    }

    private String caPin() {
        return ca.fingerprint().substring(0, 32);
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
