package org.idcguard.agent.manager.access;

import org.idcguard.agent.manager.actor.Actor;
import org.idcguard.agent.manager.actor.Role;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.idcguard.agent.http.ApiFailure;
import org.idcguard.agent.manager.EventLog;
import org.idcguard.agent.manager.MetadataStore;
import org.idcguard.model.OperatorInfo;
import org.idcguard.model.OperatorSession;

/**
 * Named operators: an admin adds one with a role and gets a one-time code; the operator turns the code into a password
 * of their own on their workstation (the code travels once, the password never leaves them), and logs in for a session
 * of a shift. Only hashes of codes, passwords and session tokens are kept. The local admin, the OS user who runs the
 * manager, is not a row: the home's token (0600, on the manager's computer) is their credential.
 */
public final class Operators {
    static final Duration CODE_LIFETIME = Duration.ofHours(24);
    static final Duration SESSION_LIFETIME = Duration.ofHours(12);
    static final int MIN_PASSWORD = 12;
    /** Failed logins in a row after which the account waits LOCK before the next try. */
    static final int MAX_FAILED = 5;
    static final Duration LOCK = Duration.ofMinutes(5);
    /** Session tokens start so, to tell them from the home's token at a glance. */
    static final String SESSION_PREFIX = "op.";
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9._-]{0,31}");
    private final MetadataStore store;
    private final EventLog events;
    private final String localAdmin;
    private final SecureRandom random = new SecureRandom();

    public Operators(MetadataStore store, EventLog events, String localAdmin) {
        this.store = store;
        this.events = events;
        this.localAdmin = localAdmin;
    }

    public String localAdmin() {
        return localAdmin;
    }

    /** Every operator, the local admin first. */
    public List<OperatorInfo> list() {
        List<OperatorInfo> all = new ArrayList<>();
        all.add(new OperatorInfo(localAdmin, Role.ADMIN.word(), "local", "install", 0));
        store.inTransaction(c -> {
            try (PreparedStatement st = c.prepareStatement("SELECT name, role, password_hash IS NOT NULL, code_expires, created_by, "
                    + "created_millis, locked_until FROM operator ORDER BY name")) {
                ResultSet rs = st.executeQuery();
                long now = System.currentTimeMillis();
                while (rs.next()) {
                    String state = rs.getLong(7) > now ? "locked" : rs.getBoolean(3) ? "active"
                            : rs.getLong(4) > now ? "awaiting its code" : "code expired";
                    all.add(new OperatorInfo(rs.getString(1), rs.getString(2), state, rs.getString(5), rs.getLong(6)));
                }
            }
            return null;
        });
        return all;
    }

    /** Adds an operator; the answer carries their one-time code, shown once. */
    public org.idcguard.model.OperatorCode add(String name, String roleWord) {
        checkName(name);
        Role role = Role.parse(roleWord == null ? "" : roleWord).orElseThrow(() -> new ApiFailure(400,
                "The role must be viewer, operator or admin, not '" + org.idcguard.model.Names.shorten(String.valueOf(roleWord)) + "'.", "role"));
        if (name.equals(localAdmin)) {
            throw ApiFailure.conflict("name", "'" + name + "' is this manager's local admin already.");
        }
        String code = secret(12);
        long now = System.currentTimeMillis();
        long expires = now + CODE_LIFETIME.toMillis();
        store.inTransaction(c -> {
            try (PreparedStatement exists = c.prepareStatement("SELECT 1 FROM operator WHERE name = ?")) {
                exists.setString(1, name);
                if (exists.executeQuery().next()) {
                    throw ApiFailure.conflict("name", "There is an operator '" + name + "' already.");
                }
            }
            try (PreparedStatement st = c.prepareStatement("INSERT INTO operator (name, role, code_hash, code_expires, created_millis, "
                    + "created_by) VALUES (?, ?, ?, ?, ?, ?)")) {
                st.setString(1, name);
                st.setString(2, role.word());
                st.setString(3, sha256(code));
                st.setLong(4, expires);
                st.setLong(5, now);
                st.setString(6, Actor.currentName() == null ? "manager" : Actor.currentName());
                st.executeUpdate();
            }
            events.record(c, "operator.added", name, "Operator " + name + " was added as " + role.word()
                    + "; their one-time code works until " + Instant.ofEpochMilli(expires) + ".");
            return null;
        });
        return new org.idcguard.model.OperatorCode(name, role.word(), code, expires);
    }

    /** Removes an operator: their sessions end at once. */
    public void remove(String name) {
        if (name.equals(localAdmin)) {
            throw ApiFailure.conflict("name", "The local admin '" + name + "' is the holder of this home's token and cannot be removed.");
        }
        store.inTransaction(c -> {
            try (PreparedStatement st = c.prepareStatement("DELETE FROM operator WHERE name = ?")) {
                st.setString(1, name);
                if (st.executeUpdate() == 0) {
                    throw ApiFailure.notFound("There is no operator " + org.idcguard.model.Names.shorten(name) + ".");
                }
            }
            events.record(c, "operator.removed", name, "Operator " + name + " was removed; their sessions ended.");
            return null;
        });
    }

    /**
     * Logs in with a password, or (code given) turns the one-time code into the password chosen now and logs in.
     * Every wrong answer is the same sentence, counted, and five in a row lock the account for five minutes.
     */
    public OperatorSession login(String name, String password, String code) {
        if (name == null || password == null) {
            throw new ApiFailure(400, "A login needs a name and a password.", name == null ? "name" : "password");
        }
        if (code != null && password.length() < MIN_PASSWORD) {
            throw new ApiFailure(400, "The password must be at least " + MIN_PASSWORD + " characters long.", "password");
        }
        Optional<Stored> found = stored(name);
        long now = System.currentTimeMillis();
        if (found.isPresent() && found.get().lockedUntil() > now) {
            throw new ApiFailure(401, "Operator " + name + " is locked after " + MAX_FAILED + " failed logins until "
                    + Instant.ofEpochMilli(found.get().lockedUntil()) + ".", null);
        }
        if (found.isEmpty()) {
            PasswordHash.matches(password.toCharArray(), Decoy.HASH); // as slow as a real check: no name is told by time
        }
        boolean good = found.isPresent() && (code == null
                ? PasswordHash.matches(password.toCharArray(), found.get().passwordHash())
                : found.get().codeHash() != null && found.get().codeExpires() > now
                        && MessageDigest.isEqual(sha256(code.strip()).getBytes(StandardCharsets.UTF_8),
                        found.get().codeHash().getBytes(StandardCharsets.UTF_8)));
        if (!good) {
            failed(name, found.isPresent());
            throw new ApiFailure(401, code == null ? "The name or the password is wrong." : "The name or the one-time code is wrong, "
                    + "or the code has expired or was used: ask an admin for a new one.", null);
        }
        String newHash = code == null ? null : PasswordHash.of(password.toCharArray());
        String token = SESSION_PREFIX + secret(32);
        long expires = now + SESSION_LIFETIME.toMillis();
        store.inTransaction(c -> {
            try (PreparedStatement st = c.prepareStatement(code == null
                    ? "UPDATE operator SET failed_logins = 0 WHERE name = ?"
                    : "UPDATE operator SET failed_logins = 0, password_hash = ?, code_hash = NULL, code_expires = 0 WHERE name = ?")) {
                if (code == null) {
                    st.setString(1, name);
                } else {
                    st.setString(1, newHash);
                    st.setString(2, name);
                }
                st.executeUpdate();
            }
            try (PreparedStatement st = c.prepareStatement("DELETE FROM operator_session WHERE expires_millis < ?")) {
                st.setLong(1, now);
                st.executeUpdate();
            }
            try (PreparedStatement st = c.prepareStatement("INSERT INTO operator_session (token_hash, operator, created_millis, "
                    + "expires_millis) VALUES (?, ?, ?, ?)")) {
                st.setString(1, sha256(token));
                st.setString(2, name);
                st.setLong(3, now);
                st.setLong(4, expires);
                st.executeUpdate();
            }
            events.recordAs(c, name, code == null ? "operator.login" : "operator.activated", name, code == null
                    ? "Operator " + name + " logged in until " + Instant.ofEpochMilli(expires) + "."
                    : "Operator " + name + " chose a password with their one-time code and logged in.");
            return null;
        });
        return new OperatorSession(token, name, found.get().role(), expires);
    }

    /** Ends the session of this token (a logout). */
    public void logout(String token) {
        store.inTransaction(c -> {
            try (PreparedStatement st = c.prepareStatement("DELETE FROM operator_session WHERE token_hash = ?")) {
                st.setString(1, sha256(token));
                st.executeUpdate();
            }
            return null;
        });
    }

    /** The operator a session token belongs to while it lasts (a removed operator's sessions are gone with them). */
    Optional<Actor> session(String token) {
        if (!token.startsWith(SESSION_PREFIX)) {
            return Optional.empty();
        }
        return store.inTransaction(c -> {
            try (PreparedStatement st = c.prepareStatement("SELECT o.name, o.role FROM operator_session s JOIN operator o "
                    + "ON o.name = s.operator WHERE s.token_hash = ? AND s.expires_millis > ?")) {
                st.setString(1, sha256(token));
                st.setLong(2, System.currentTimeMillis());
                ResultSet rs = st.executeQuery();
                return rs.next() ? Optional.of(new Actor(rs.getString(1), Role.parse(rs.getString(2)).orElseThrow(), null))
                        : Optional.<Actor>empty();
            }
        });
    }

    private void failed(String name, boolean exists) {
        if (!exists) {
            events.record("operator.login-failed", org.idcguard.model.Names.shorten(name), "A login as an unknown operator '"
                    + org.idcguard.model.Names.shorten(name) + "' was refused.");
            return;
        }
        store.inTransaction(c -> {
            long now = System.currentTimeMillis();
            try (PreparedStatement st = c.prepareStatement("UPDATE operator SET failed_logins = failed_logins + 1, locked_until = "
                    + "CASE WHEN failed_logins + 1 >= ? THEN ? ELSE locked_until END WHERE name = ?")) {
                st.setInt(1, MAX_FAILED);
                st.setLong(2, now + LOCK.toMillis());
                st.setString(3, name);
                st.executeUpdate();
            }
            events.record(c, "operator.login-failed", name, "A login as operator " + name + " was refused.");
            return null;
        });
    }

    /** A hash no password matches, made once, for the check of a name that does not exist. */
    private static final class Decoy {
        static final String HASH = PasswordHash.of(java.util.UUID.randomUUID().toString().toCharArray());
    }

    private record Stored(String role, String passwordHash, String codeHash, long codeExpires, long lockedUntil) {
    }

    private Optional<Stored> stored(String name) {
        return store.inTransaction(c -> {
            try (PreparedStatement st = c.prepareStatement("SELECT role, password_hash, code_hash, code_expires, locked_until "
                    + "FROM operator WHERE name = ?")) {
                st.setString(1, name);
                ResultSet rs = st.executeQuery();
                return rs.next() ? Optional.of(new Stored(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getLong(5)))
                        : Optional.<Stored>empty();
            }
        });
    }

    static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new ApiFailure(400, "An operator's name is 1 to 32 lowercase letters, digits, '.', '_' or '-', starting with a "
                    + "letter.", "name");
        }
    }

    private String secret(int bytes) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
