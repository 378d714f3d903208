package org.idcguard.agent.tls;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/** Certificates and certificate requests as PEM text, the form they travel in and lie in files. */
public final class Pem {
    private Pem() {
    }

    public static String write(Object certificateOrRequest) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(certificateOrRequest);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    /** A private key as unencrypted PKCS#8 PEM ("PRIVATE KEY"), the form OpenSSL and HAProxy read. */
    public static String privateKey(java.security.PrivateKey key) {
        try {
            return write(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null).generate());
        } catch (org.bouncycastle.util.io.pem.PemGenerationException e) {
            throw new IllegalStateException("Cannot write the private key: " + e.getMessage(), e);
        }
    }

    /** The certificate in this PEM text; an {@link IllegalArgumentException} with a sentence when it is not one. */
    public static X509Certificate certificate(String pem) {
        Object parsed = parse(pem);
        if (!(parsed instanceof X509CertificateHolder holder)) {
            throw new IllegalArgumentException("The text is not a PEM certificate.");
        }
        try {
            return new JcaX509CertificateConverter().getCertificate(holder);
        } catch (CertificateException e) {
            throw new IllegalArgumentException("The certificate cannot be read: " + e.getMessage() + ".");
        }
    }

    public static PKCS10CertificationRequest request(String pem) {
        if (!(parse(pem) instanceof PKCS10CertificationRequest request)) {
            throw new IllegalArgumentException("The text is not a PEM certificate request.");
        }
        return request;
    }

    private static Object parse(String pem) {
        try (PEMParser parser = new PEMParser(new StringReader(pem == null ? "" : pem))) {
            return parser.readObject();
        } catch (IOException e) {
            throw new IllegalArgumentException("The text is not PEM: " + e.getMessage() + ".");
        }
    }
}
