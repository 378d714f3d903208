package org.idcguard.agent.manager.access;

import org.idcguard.agent.manager.actor.Actor;
import org.idcguard.agent.manager.actor.Role;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import org.idcguard.agent.http.ApiFailure;

/**
 * The manager API's door: it tells who calls (the local admin by the home's token, the scrape identity by its own
 * token, an operator by a session token), refuses with 401 a credential that is wrong, expired or revoked and with 403
 * a role that may not do what is asked (naming what the role may not do), and sets the {@link Actor} of the call so
 * that every event it records names them and their reason.
 */
public final class AccessGuard {
    /** The header a reason (a ticket) travels in, percent-encoded UTF-8. */
    public static final String REASON_HEADER = "X-IDCGuard-Reason";
    /** The name the scrape identity goes by. */
    public static final String SCRAPE = "scrape";
    private static final int MAX_REASON = 200;
    private final byte[] homeToken;
    private final byte[] scrapeToken;
    private final Operators operators;

    public AccessGuard(String homeToken, String scrapeToken, Operators operators) {
        this.homeToken = homeToken.getBytes(StandardCharsets.UTF_8);
        this.scrapeToken = scrapeToken.getBytes(StandardCharsets.UTF_8);
        this.operators = operators;
    }

    /** Runs before every request. */
    public Handler before() {
        return ctx -> {
            Actor.clear();
            AccessRules.Need need = AccessRules.of(ctx.method().name(), ctx.path()).map(AccessRules.Rule::need)
                    .orElse(AccessRules.Need.ADMIN);
            if (need == AccessRules.Need.PUBLIC) {
                return;
            }
            Optional<Actor> who = identify(ctx);
            if (who.isEmpty()) {
                throw new ApiFailure(401, bearerOf(ctx).isEmpty()
                        ? "Log in first: this needs an operator's session (./idcguard login NAME, or the console's login)."
                        : "The credential is wrong, expired or revoked: log in again (./idcguard login NAME).", null);
            }
            Actor actor = who.get();
            if (actor.role() == null) { // the scrape identity
                if (need != AccessRules.Need.METRICS) {
                    throw new ApiFailure(403, "The scrape identity may read /metrics only.", null);
                }
            } else if (need != AccessRules.Need.METRICS && !actor.role().mayDo(Role.valueOf(need.name()))) {
                throw new ApiFailure(403, "Operator " + actor.name() + " is " + (actor.role() == Role.VIEWER ? "a " : "an ")
                        + actor.role().word() + ": "
                        + AccessRules.what(need) + ".", null);
            }
            Actor.set(new Actor(actor.name(), actor.role(), reason(ctx)));
        };
    }

    /** Runs after every request: the thread serves nobody until the next one. */
    public Handler after() {
        return ctx -> Actor.clear();
    }

    /** Who the bearer token says, if it is one. */
    Optional<Actor> identify(Context ctx) {
        String token = bearerOf(ctx);
        if (token.isEmpty()) {
            return Optional.empty();
        }
        byte[] presented = token.getBytes(StandardCharsets.UTF_8);
        if (MessageDigest.isEqual(presented, homeToken)) {
            return Optional.of(new Actor(operators.localAdmin(), Role.ADMIN, null));
        }
        if (MessageDigest.isEqual(presented, scrapeToken)) {
            return Optional.of(new Actor(SCRAPE, null, null));
        }
        return operators.session(token);
    }

    public static String bearerOf(Context ctx) {
        String header = ctx.header("Authorization");
        return header != null && header.startsWith("Bearer ") ? header.substring(7).strip() : "";
    }

    /** The reason given, decoded, on one line and at most 200 characters; a malformed one is refused. */
    static String reason(Context ctx) {
        String raw = ctx.header(REASON_HEADER);
        if (raw == null || raw.isBlank()) {
            return null;
        }
        String text;
        try {
            text = URLDecoder.decode(raw, StandardCharsets.UTF_8).strip();
        } catch (IllegalArgumentException e) {
            throw new ApiFailure(400, "The reason must be percent-encoded UTF-8.", "reason");
        }
        if (text.length() > MAX_REASON || text.chars().anyMatch(Character::isISOControl)) {
            throw new ApiFailure(400, "A reason is one line of at most " + MAX_REASON + " characters.", "reason");
        }
        return text.isEmpty() ? null : text;
    }
}
