package org.idcguard.agent.manager;

import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.idcguard.agent.tls.RevokedCertificates;

/**
 * The certificates of our CA the managers know of: a node agent's (seen when it answers, or signed at enrolment), a
 * router certificate (issued for an HAProxy route). Removing a computer revokes its node certificates; issuing a router
 * certificate for a route again, or enrolling a computer again, revokes the ones it replaces. The revoked ones, until
 * they expire, are the list every node agent refuses at its handshakes.
 */
public final class Certificates {
    public static final String NODE = "node";
    public static final String ROUTER = "router";
    private final MetadataStore store;
    private final EventLog events;

    public Certificates(MetadataStore store, EventLog events) {
        this.store = store;
        this.events = events;
    }

    /** Records a certificate once (a later call for the same one changes nothing). */
    public void record(Connection c, X509Certificate certificate, String purpose, String holder) throws SQLException {
        String serial = RevokedCertificates.serial(certificate);
        try (PreparedStatement st = c.prepareStatement("SELECT 1 FROM certificate WHERE serial = ?")) {
            st.setString(1, serial);
            try (ResultSet rs = st.executeQuery()) {
                if (rs.next()) {
                    return;
                }
            }
        }
        try (PreparedStatement st = c.prepareStatement("INSERT INTO certificate (serial, purpose, holder, not_after_millis, "
                + "seen_millis) VALUES (?, ?, ?, ?, ?)")) {
            st.setString(1, serial);
            st.setString(2, purpose);
            st.setString(3, holder);
            st.setLong(4, certificate.getNotAfter().getTime());
            st.setLong(5, System.currentTimeMillis());
            st.executeUpdate();
        }
    }

    /** Records a certificate in its own transaction. */
    public void record(X509Certificate certificate, String purpose, String holder) {
        store.inTransaction(c -> {
            record(c, certificate, purpose, holder);
            return null;
        });
    }

    /**
     * Revokes every certificate of the holder for the purpose but {@code keep} (null: all), with an event naming how
     * many; returns that number.
     */
    public int revokeHolder(Connection c, String purpose, String holder, X509Certificate keep, String why) throws SQLException {
        int revoked;
        try (PreparedStatement st = c.prepareStatement("UPDATE certificate SET revoked_millis = ?, revoked_why = ? "
                + "WHERE purpose = ? AND holder = ? AND revoked_millis IS NULL AND serial <> ?")) {
            st.setLong(1, System.currentTimeMillis());
            st.setString(2, why);
            st.setString(3, purpose);
            st.setString(4, holder);
            st.setString(5, keep == null ? "" : RevokedCertificates.serial(keep));
            revoked = st.executeUpdate();
        }
        if (revoked > 0) {
            events.record(c, "certificate.revoked", holder, revoked + " " + purpose + " certificate" + (revoked == 1 ? "" : "s")
                    + " of " + holder + " revoked: " + why + " Every node agent refuses " + (revoked == 1 ? "it" : "them")
                    + " from its next handshake.");
        }
        return revoked;
    }

    /** Whether the managers revoked this certificate. */
    public boolean isRevoked(X509Certificate certificate) {
        return store.inTransaction(c -> {
            try (PreparedStatement st = c.prepareStatement("SELECT 1 FROM certificate WHERE serial = ? AND revoked_millis IS NOT NULL")) {
                st.setString(1, RevokedCertificates.serial(certificate));
                try (ResultSet rs = st.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    /** The serial numbers revoked and not yet expired: the list node agents hold. */
    public List<String> revoked() {
        return store.inTransaction(c -> {
            List<String> serials = new ArrayList<>();
            try (PreparedStatement st = c.prepareStatement("SELECT serial FROM certificate WHERE revoked_millis IS NOT NULL "
                    + "AND not_after_millis > ? ORDER BY serial")) {
                st.setLong(1, System.currentTimeMillis());
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        serials.add(rs.getString(1));
                    }
                }
            }
            return serials;
        });
    }
}
