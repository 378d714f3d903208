package org.idcguard.agent.http;

import com.fasterxml.jackson.core.JacksonException;
import io.javalin.Javalin;
import io.javalin.http.Handler;
import java.security.cert.X509Certificate;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.idcguard.agent.tls.CertificateAuthority;
import org.idcguard.agent.tls.TlsIdentity;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import org.idcguard.model.ApiError;
import org.idcguard.model.InvalidInput;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the manager's and the node agents' HTTP servers share: JSON, the bearer token on every
 * {@code /api} call, a small body limit, and one error shape, {@code {"error": sentence}}, for every refusal.
 */
public final class ApiServer {
    /**
     * Requests are JSON documents; anything bigger is refused before it is read. The largest is a drill report handed
     * in by the CLI with its timelines (about 100 KiB a round at 16 shards, up to 100 rounds).
     */
    public static final long MAX_BODY_BYTES = 16 * 1024 * 1024;
    private static final Logger log = LoggerFactory.getLogger(ApiServer.class);

    private ApiServer() {
    }

    /**
     * A server that speaks only TLS on host:port with this identity (started with {@code start()}); {@code guard}
     * runs before every {@code /api} call. When clients must present a certificate, the handshake itself refuses one
     * not issued by our CA.
     */
    public static Javalin create(Handler guard, TlsIdentity identity, boolean clientCertificates, String host, int port) {
        return create(guard, identity, clientCertificates, null, host, port);
    }

    /**
     * As above; with {@code revoked}, every handshake also refuses a client certificate of that list (a node agent's
     * ports, which admit clients by certificate).
     */
    public static Javalin create(Handler guard, TlsIdentity identity, boolean clientCertificates,
                                 org.idcguard.agent.tls.RevokedCertificates revoked, String host, int port) {
        return create(guard, new ServedIdentity(identity), clientCertificates, revoked, host, port);
    }

    /** As above, presenting an identity that may be replaced while the server runs (a node agent's). */
    public static Javalin create(Handler guard, ServedIdentity identity, boolean clientCertificates,
                                 org.idcguard.agent.tls.RevokedCertificates revoked, String host, int port) {
        Javalin app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.http.maxRequestSize = MAX_BODY_BYTES;
            config.jsonMapper(new JavalinJackson(Json.MAPPER, false));
            config.useVirtualThreads = false;
            config.jetty.addConnector((server, httpConfig) -> tlsConnector(server, httpConfig, identity,
                    clientCertificates, revoked, host, port));
        });
        app.before("/api/*", guard);
        app.exception(ApiFailure.class, (e, ctx) -> answer(ctx, e.status(), e.getMessage(), e.field()));
        app.exception(InvalidInput.class, (e, ctx) -> answer(ctx, 400, e.getMessage(), e.field()));
        app.exception(JacksonException.class, (e, ctx) ->
                answer(ctx, 400, "The request body is not valid JSON of the expected shape.", null));
        app.exception(HttpResponseException.class, (e, ctx) -> answer(ctx, e.getStatus(), sentence(e), null));
        app.exception(Exception.class, (e, ctx) -> {
            log.error("{} {} failed", ctx.method(), ctx.path(), e);
            answer(ctx, 500, "The agent failed: " + e.getMessage(), null);
        });
        app.error(404, ctx -> {
            if (ctx.result() == null || ctx.result().isEmpty()) {
                answer(ctx, 404, "There is no such API path: " + ctx.path() + ".", null);
            }
        });
        app.error(405, ctx -> answer(ctx, 405, "The method " + ctx.method() + " is not allowed on " + ctx.path() + ".", null));
        return app;
    }

    private static ServerConnector tlsConnector(Server server, HttpConfiguration plain, ServedIdentity served,
                                                boolean clientCertificates, org.idcguard.agent.tls.RevokedCertificates revoked,
                                                String host, int port) {
        SslContextFactory.Server tls = revoked == null ? new SslContextFactory.Server() : new SslContextFactory.Server() {
            @Override
            protected javax.net.ssl.TrustManager[] getTrustManagers(java.security.KeyStore trustStore,
                                                                    java.util.Collection<? extends java.security.cert.CRL> crls)
                    throws Exception {
                return org.idcguard.agent.tls.RevocationCheckingTrust.wrap(super.getTrustManagers(trustStore, crls), revoked);
            }
        };
        if (revoked != null) {
            // a resumed session skips the certificate check: every connection shows its certificate again
            tls.setSessionCachingEnabled(false);
        }
        TlsIdentity identity = served.current();
        tls.setKeyStore(identity.keyStore());
        tls.setKeyStorePassword(TlsIdentity.storePassword());
        tls.setTrustStore(identity.trustStore());
        tls.setNeedClientAuth(clientCertificates);
        served.serves(tls);
        HttpConfiguration secure = new HttpConfiguration(plain);
        SecureRequestCustomizer customizer = new SecureRequestCustomizer();
        customizer.setSniHostCheck(false); // clients connect by IP address, which SNI cannot carry
        secure.addCustomizer(customizer);
        ServerConnector connector = new ServerConnector(server, new SslConnectionFactory(tls, "http/1.1"),
                new HttpConnectionFactory(secure));
        connector.setHost(host);
        connector.setPort(port);
        return connector;
    }

    /**
     * Opens one more TLS port on a running server (the same identity, client certificates required), serving the same
     * routes; the handlers tell ports apart by the request's local port.
     */
    public static ServerConnector addTlsPort(Javalin app, ServedIdentity identity, org.idcguard.agent.tls.RevokedCertificates revoked,
                                             String host, int port) throws Exception {
        Server server = app.jettyServer().server();
        HttpConfiguration plain = new HttpConfiguration();
        ServerConnector connector = tlsConnector(server, plain, identity, true, revoked, host, port);
        server.addConnector(connector);
        connector.start();
        return connector;
    }

    /** Closes a port opened by {@link #addTlsPort}. */
    public static void removePort(Javalin app, ServerConnector connector) {
        try {
            connector.stop();
        } catch (Exception e) {
            log.warn("Closing port {} failed: {}", connector.getPort(), e.getMessage());
        }
        app.jettyServer().server().removeConnector(connector);
    }

    /** Every call carries the home's bearer token: the console and the command line to the manager. */
    public static Handler bearerToken(String token) {
        return ctx -> requireToken(ctx, token);
    }

    /**
     * Only the manager may call: the client certificate (already checked against our CA in the handshake) must be
     * the manager's, so one enrolled node agent cannot drive another. (The health checks HAProxy reads with its router
     * certificate, {@code /primary}, {@code /replica} and {@code /health}, lie outside {@code /api}.)
     */
    public static Handler managerCertificate() {
        return ctx -> {
            Object chain = ctx.req().getAttribute("jakarta.servlet.request.X509Certificate");
            String subject = chain instanceof X509Certificate[] certificates && certificates.length > 0
                    ? certificates[0].getSubjectX500Principal().getName() : "";
            boolean manager = subject.equals("CN=" + CertificateAuthority.MANAGER_NAME);
            if (!manager) {
                throw new ApiFailure(403, "Only the manager that enrolled this computer may call its node agent.", null);
            }
        };
    }

    private static void requireToken(Context ctx, String token) {
        String header = ctx.header("Authorization");
        String presented = header != null && header.startsWith("Bearer ") ? header.substring(7).strip() : "";
        boolean ok = MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
        if (!ok) {
            throw new ApiFailure(401, "A valid bearer token is required: it is in manager.token in the IDC Guard home.", null);
        }
    }

    private static String sentence(HttpResponseException e) {
        return switch (e.getStatus()) {
            case 413 -> "The request body is larger than " + MAX_BODY_BYTES / (1024 * 1024) + " MiB.";
            case 404 -> "There is no such API path.";
            case 405 -> "That method is not allowed on this API path.";
            default -> e.getMessage() == null || e.getMessage().isBlank() ? "The request was refused." : e.getMessage();
        };
    }

    private static void answer(Context ctx, int status, String message, String field) {
        ctx.status(status).json(new ApiError(message, field));
    }

    /** A request kept as JSON (an approval's), read back as the given type. */
    public static <T> T parse(String json, Class<T> type) {
        try {
            return Json.MAPPER.readValue(json, type);
        } catch (JacksonException e) {
            throw new ApiFailure(400, "The request kept for approval cannot be read: " + e.getOriginalMessage(), null);
        }
    }

    /** A request as JSON, to be kept (an approval's). */
    public static String write(Object request) {
        try {
            return Json.MAPPER.writeValueAsString(request);
        } catch (JacksonException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads the body as the given type, refusing an empty body with a sentence. */
    public static <T> T body(Context ctx, Class<T> type) {
        String body = ctx.body();
        if (body.isBlank()) {
            throw new ApiFailure(400, "The request needs a JSON body.", null);
        }
        try {
            return Json.MAPPER.readValue(body, type);
        } catch (JacksonException e) {
            throw new ApiFailure(400, "The request body is not valid JSON of the expected shape.", null);
        }
    }
}
