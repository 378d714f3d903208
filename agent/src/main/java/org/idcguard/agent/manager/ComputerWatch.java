package org.idcguard.agent.manager;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.idcguard.model.Computer;
import org.idcguard.model.ComputerFacts;
import org.idcguard.model.ComputerStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks every computer's node agent for its facts once a period. A computer is marked unreachable after
 * {@link #MISSES_BEFORE_UNREACHABLE} missed answers in a row (one slow answer is not an outage) and
 * reachable again at the first answer; both changes are events.
 */
public final class ComputerWatch implements AutoCloseable {
    static final int MISSES_BEFORE_UNREACHABLE = 2;
    private static final Logger log = LoggerFactory.getLogger(ComputerWatch.class);
    private final MetadataStore store;
    private final EventLog events;
    private final NodeAgentClient agents;
    private final org.idcguard.agent.manager.Certificates certificates;
    private final CertificateRenewals renewals;
    private final ComputerRepository computers = new ComputerRepository();
    /** The node certificate last recorded per computer, so a probe writes only a certificate not seen before. */
    private final Map<String, String> recordedSerial = new ConcurrentHashMap<>();
    /**
     * A computer whose facts are unchanged is written again only this often: each write is an entry of the managers'
     * replicated log, and a probe a second of every computer would be most of it.
     */
    static final long REFRESH_MILLIS = 30_000;
    private final Map<String, Integer> misses = new ConcurrentHashMap<>();
    private final Map<String, Written> written = new ConcurrentHashMap<>();

    /** What was last written of a computer, and when. */
    private record Written(ComputerStatus status, ComputerFacts facts, long atMillis) {
    }
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "computer-watch");
        t.setDaemon(true);
        return t;
    });

    public ComputerWatch(MetadataStore store, EventLog events, NodeAgentClient agents,
                         org.idcguard.agent.manager.Certificates certificates, CertificateRenewals renewals) {
        this.renewals = renewals;
        this.store = store;
        this.events = events;
        this.agents = agents;
        this.certificates = certificates;
    }

    public void start(long periodMillis) {
        timer.scheduleWithFixedDelay(this::probeAllSafely, 0, periodMillis, TimeUnit.MILLISECONDS);
    }

    private void probeAllSafely() {
        try {
            List<Computer> all = store.inTransaction(computers::all);
            List<String> revoked = certificates.revoked();
            String digest = org.idcguard.agent.tls.RevokedCertificates.digest(revoked);
            if (!agents.revoked().digest().equals(digest)) {
                agents.revoked().replace(revoked);
            }
            CompletableFuture.allOf(all.stream().map(computer -> probe(computer, revoked, digest))
                    .toArray(CompletableFuture[]::new)).join();
        } catch (RuntimeException e) {
            log.warn("Probing computers failed: {}", e.getMessage());
        }
    }

    private CompletableFuture<Void> probe(Computer computer, List<String> revoked, String digest) {
        return agents.probe(computer.agentEndpoint()).handle((probe, error) -> {
            if (error == null) {
                answered(computer, probe.facts());
                recordCertificate(computer, probe.certificate());
                renewals.renewIfDue(computer, probe.certificate());
                if (probe.revocations() != null && !probe.revocations().equals(digest)) {
                    // a node agent holding another list gets the managers' (a list lost in transit goes again next probe)
                    agents.sendRevocations(computer.agentEndpoint(), revoked).exceptionally(e -> {
                        log.debug("The revocation list did not reach {}: {}", computer.address(), e.getMessage());
                        return null;
                    });
                }
            } else {
                missed(computer);
            }
            return null;
        });
    }

    /**
     * Records the certificate the node agent presented, under its computer, so removing the computer revokes it. The
     * computer's row is locked first: a removal running meanwhile either sees this certificate or makes this record
     * find no computer, so no certificate of a removed computer stays unrevoked.
     */
    private void recordCertificate(Computer computer, java.security.cert.X509Certificate certificate) {
        if (certificate == null) {
            return;
        }
        String serial = org.idcguard.agent.tls.RevokedCertificates.serial(certificate);
        if (serial.equals(recordedSerial.get(computer.address()))) {
            return;
        }
        try {
            boolean recorded = store.inTransaction(c -> {
                if (!ComputerRepository.lockForUpdate(c, computer.address())) {
                    return false;
                }
                certificates.record(c, certificate, org.idcguard.agent.manager.Certificates.NODE, computer.address());
                return true;
            });
            if (recorded) {
                recordedSerial.put(computer.address(), serial);
            }
        } catch (RuntimeException e) {
            log.warn("Recording the certificate of {} failed: {}", computer.address(), e.getMessage());
        }
    }

    private void answered(Computer computer, ComputerFacts facts) {
        misses.remove(computer.address());
        long now = System.currentTimeMillis();
        Written last = written.get(computer.address());
        if (computer.status() == ComputerStatus.REACHABLE && last != null && last.status() == ComputerStatus.REACHABLE
                && sameFacts(last.facts(), facts) && now - last.atMillis() < REFRESH_MILLIS) {
            return;
        }
        written.put(computer.address(), new Written(ComputerStatus.REACHABLE, facts, now));
        store.inTransaction(c -> {
            computers.markSeen(c, computer.address(), facts, now);
            if (computer.status() == ComputerStatus.UNREACHABLE) {
                events.record(c, "computer.reachable", computer.address(),
                        "Computer " + computer.address() + " answers again.");
            }
            return null;
        });
    }

    /** Equal but for free disk moving by less than 1 % (it moves with every WAL segment). */
    private static boolean sameFacts(ComputerFacts a, ComputerFacts b) {
        long disk = Math.max(1, Math.max(a.freeDiskBytes(), b.freeDiskBytes()));
        return a.cpus() == b.cpus() && a.memoryBytes() == b.memoryBytes()
                && java.util.Objects.equals(a.postgresVersion(), b.postgresVersion())
                && java.util.Objects.equals(a.postgresBinDir(), b.postgresBinDir())
                && Math.abs(a.freeDiskBytes() - b.freeDiskBytes()) * 100 < disk;
    }

    private void missed(Computer computer) {
        written.remove(computer.address());
        int count = misses.merge(computer.address(), 1, Integer::sum);
        if (count >= MISSES_BEFORE_UNREACHABLE && computer.status() != ComputerStatus.UNREACHABLE) {
            store.inTransaction(c -> {
                computers.markStatus(c, computer.address(), ComputerStatus.UNREACHABLE);
                events.record(c, "computer.unreachable", computer.address(), "Computer " + computer.address()
                        + " is unreachable: its node agent missed " + count + " probes in a row.");
                return null;
            });
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
