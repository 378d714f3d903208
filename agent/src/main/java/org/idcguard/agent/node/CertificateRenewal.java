package org.idcguard.agent.node;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import org.idcguard.agent.http.ServedIdentity;
import org.idcguard.agent.tls.CertificateAuthority;
import org.idcguard.agent.tls.Pem;
import org.idcguard.agent.tls.TlsIdentity;
import org.idcguard.agent.http.ApiFailure;

/**
 * A node agent's certificate renewed in place, without enrolling again: the leading manager asks for a certificate
 * request (a new key made here, which never leaves this computer), signs it with our CA and hands the certificate back;
 * the node checks it is our CA's, for this computer and for the key it made, keeps it (the identity file is replaced
 * whole) and presents it from the next handshake on. The manager then revokes the certificate it replaces.
 */
final class CertificateRenewal {
    private final String address;
    private final Path identityFile;
    private final ServedIdentity served;
    private KeyPair pending;

    CertificateRenewal(String address, Path identityFile, ServedIdentity served) {
        this.address = address;
        this.identityFile = identityFile;
        this.served = served;
    }

    /** A certificate request for a new key; a request asked again replaces the one before. */
    synchronized String request() {
        KeyPair pair = TlsIdentity.newKeyPair();
        String request = Enroller.certificateRequest(address, pair);
        pending = pair;
        return request;
    }

    /** Takes the certificate signed for the pending request; refuses, changing nothing, one that does not fit it. */
    synchronized X509Certificate install(String pem) {
        if (pending == null) {
            throw new ApiFailure(409, "This node agent has no certificate request waiting: ask for one first.", "certificate");
        }
        X509Certificate certificate;
        try {
            certificate = Pem.certificate(pem);
        } catch (RuntimeException e) {
            throw new ApiFailure(400, "The certificate is not a PEM certificate.", "certificate");
        }
        TlsIdentity current = served.current();
        try {
            certificate.verify(current.ca().getPublicKey());
            certificate.checkValidity();
        } catch (GeneralSecurityException e) {
            throw new ApiFailure(400, "The certificate is not a valid one of this computer's CA: " + e.getMessage(), "certificate");
        }
        if (!certificate.getPublicKey().equals(pending.getPublic())) {
            throw new ApiFailure(400, "The certificate is for another key than the one this node agent asked for.", "certificate");
        }
        if (!certificate.getSubjectX500Principal().getName().equals("CN=" + CertificateAuthority.nodeName(address))) {
            throw new ApiFailure(400, "The certificate names another computer than " + address + ".", "certificate");
        }
        TlsIdentity renewed = new TlsIdentity(pending.getPrivate(), certificate, current.ca());
        renewed.save(identityFile);
        served.replace(renewed);
        pending = null;
        return certificate;
    }
}
