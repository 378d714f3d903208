package org.idcguard.agent.node;

import java.util.List;
import java.util.Optional;
import org.idcguard.agent.home.AgentHome;
import org.idcguard.agent.tls.CertificateAuthority;
import org.idcguard.agent.tls.TlsIdentity;

/**
 * The certificate a node agent serves with. A computer at a loopback address (the embedded local default) or one
 * whose home holds the manager's CA is issued one by that CA directly, with no step for the DBA; any other computer
 * enrols once with a join code and keeps the result in its own home.
 */
final class NodeIdentity {
    private NodeIdentity() {
    }

    /** A join the command line asked for: the manager's URL and the one-time code. */
    record Join(String managerUrl, String code) {
    }

    static TlsIdentity forNode(AgentHome home, String address, Optional<Join> join) {
        Optional<TlsIdentity> held = TlsIdentity.load(home.nodeIdentityFile(address));
        if (join.isPresent()) {
            if (held.isPresent()) {
                throw new IllegalStateException("The node agent of " + address + " is already enrolled (its certificate is "
                        + home.nodeIdentityFile(address) + "): start it without --join, or remove that file to enrol again.");
            }
            TlsIdentity enrolled = Enroller.enrol(join.get().managerUrl(), join.get().code(), address);
            enrolled.save(home.nodeIdentityFile(address));
            return enrolled;
        }
        if (held.isPresent()) {
            // in the manager's home its CA rules: a certificate of an older CA, or one about to expire, is replaced
            Optional<CertificateAuthority> here = CertificateAuthority.ofHome(home);
            boolean current = here.isEmpty() || held.get().ca().equals(here.get().certificate()) && stillValid(held.get());
            return current ? held.get() : issue(here.get(), home, address);
        }
        Optional<CertificateAuthority> local = isLoopback(address) ? Optional.of(CertificateAuthority.loadOrCreate(home))
                : CertificateAuthority.ofHome(home);
        return local.map(ca -> issue(ca, home, address)).orElseThrow(() -> new IllegalStateException("The node agent of "
                + address + " is not enrolled: start it once with --manager URL --join CODE, with a code from "
                + "'idcguard computer join-code' run where the manager is."));
    }

    private static TlsIdentity issue(CertificateAuthority ca, AgentHome home, String address) {
        TlsIdentity issued = ca.issue(CertificateAuthority.nodeName(address), List.of(address), List.of());
        issued.save(home.nodeIdentityFile(address));
        return issued;
    }

    /**
     * A computer at a loopback address can only be reached from this host, so its manager runs here and shares the
     * home: the embedded local default, which needs no enrolment. Whichever starts first creates the CA.
     */
    static boolean isLoopback(String address) {
        try {
            return java.net.InetAddress.getByName(address).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    private static boolean stillValid(TlsIdentity identity) {
        try {
            identity.certificate().checkValidity(new java.util.Date(System.currentTimeMillis() + 86_400_000L * 30));
            return true;
        } catch (java.security.cert.CertificateException e) {
            return false;
        }
    }
}
