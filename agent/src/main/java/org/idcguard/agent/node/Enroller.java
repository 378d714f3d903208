package org.idcguard.agent.node;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.idcguard.agent.http.Json;
import org.idcguard.agent.tls.CertificateAuthority;
import org.idcguard.agent.tls.Pem;
import org.idcguard.agent.tls.TlsIdentity;
import org.idcguard.model.ApiError;
import org.idcguard.model.JoinCode;

/**
 * A node agent's side of enrolment. Its key is made here and never leaves the computer; only a signed request
 * goes to the manager. The manager is recognised by the CA pin in the join code before the code's secret is sent,
 * so a code typed against the wrong URL reveals nothing.
 */
final class Enroller {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private Enroller() {
    }

    static TlsIdentity enrol(String managerUrl, String code, String address) {
        String[] parts = JoinCode.parse(code);
        KeyPair pair = TlsIdentity.newKeyPair();
        String request = certificateRequest(address, pair);
        HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).version(HttpClient.Version.HTTP_1_1)
                .sslContext(pinned(parts[1])).build();
        String body;
        try {
            body = Json.MAPPER.writeValueAsString(new JoinCode.Request(code.strip(), address, request));
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(managerUrl.replaceAll("/+$", "") + "/enrol"))
                    .timeout(TIMEOUT).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("The manager refused the enrolment: " + refusal(response));
            }
            JoinCode.Grant grant = Json.MAPPER.readValue(response.body(), JoinCode.Grant.class);
            X509Certificate ca = Pem.certificate(grant.caCertificate());
            if (!CertificateAuthority.fingerprint(ca).startsWith(parts[1])) {
                throw new IllegalStateException("The manager answered with a CA that is not the one the join code names.");
            }
            X509Certificate certificate = Pem.certificate(grant.certificate());
            certificate.verify(ca.getPublicKey());
            if (!certificate.getPublicKey().equals(pair.getPublic())) {
                throw new IllegalStateException("The manager answered with a certificate for another key.");
            }
            return new TlsIdentity(pair.getPrivate(), certificate, ca);
        } catch (IOException e) {
            throw new IllegalStateException("The manager at " + managerUrl + " cannot be reached for enrolment: "
                    + rootMessage(e) + ".", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("The manager's certificate does not check out: " + e.getMessage() + ".", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while enrolling.", e);
        }
    }

    /** A PEM certificate request of the node at this address for the key pair, signed by its private key. */
    static String certificateRequest(String address, KeyPair pair) {
        try {
            return Pem.write(new JcaPKCS10CertificationRequestBuilder(
                    new X500Name("CN=" + CertificateAuthority.nodeName(address)), pair.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
        } catch (OperatorCreationException e) {
            throw new IllegalStateException("Cannot sign a certificate request: " + e.getMessage(), e);
        }
    }

    private static String refusal(HttpResponse<String> response) {
        try {
            return Json.MAPPER.readValue(response.body(), ApiError.class).error();
        } catch (IOException e) {
            return "HTTP " + response.statusCode() + ".";
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    /**
     * Trusts a server only if its chain ends in a CA whose SHA-256 starts with the pin and that CA signed the
     * server's certificate. The name check is left out on purpose: the pin is a stronger proof than a host name.
     */
    private static SSLContext pinned(String caPin) {
        X509ExtendedTrustManager trust = new X509ExtendedTrustManager() {
            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                for (X509Certificate candidate : chain) {
                    if (CertificateAuthority.fingerprint(candidate).startsWith(caPin)) {
                        try {
                            chain[0].checkValidity();
                            chain[0].verify(candidate.getPublicKey());
                            return;
                        } catch (GeneralSecurityException e) {
                            throw new CertificateException("The manager's certificate is not signed by the pinned CA.", e);
                        }
                    }
                }
                throw new CertificateException("The server at that URL is not the manager the join code was made by.");
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
                checkServerTrusted(chain, authType);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
                checkServerTrusted(chain, authType);
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                throw new CertificateException("Enrolment trusts no client.");
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
                checkClientTrusted(chain, authType);
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
                checkClientTrusted(chain, authType);
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {trust}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
