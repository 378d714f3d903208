package org.idcguard.agent.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.idcguard.agent.home.AtomicFiles;
import org.idcguard.agent.http.ApiFailure;

/**
 * The node agent's side of the fencing token: the newest manager epoch it has seen (kept on disk, so a restart forgets
 * nothing). A request carrying an older epoch comes from a deposed leader and is refused before it does anything; a
 * newer one raises the mark. A sole manager sends no epoch; once any epoch was seen here (a quorum commands this
 * computer), a request that would change something and carries none is refused as well: whoever holds a manager's
 * key must not step around the fence by leaving the header out. Reads stay open (a sole manager's health look, a
 * listing). A computer taken back from a quorum to a sole manager needs its {@code manager.epoch} removed by hand.
 */
public final class EpochFence {
    public static final String HEADER = "X-IdcGuard-Epoch";
    private final Path file;
    private long newest;

    public EpochFence(Path file) {
        this.file = file;
        try {
            this.newest = Files.exists(file) ? Long.parseLong(Files.readString(file).strip()) : 0;
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("The node agent cannot read its manager epoch in " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Admits a request of this epoch (null: none given), or refuses it with 409 when a newer leader has spoken, or
     * when it would change something without an epoch where a quorum's leader has commanded.
     */
    public synchronized void admit(String header, boolean changes) {
        if (header == null || header.isBlank()) {
            if (changes && newest > 0) {
                throw new ApiFailure(409, "This command carries no manager epoch, and the managers' quorum (epoch " + newest
                        + ") commands here: only its leader may change this computer.", "epoch");
            }
            return;
        }
        long epoch;
        try {
            epoch = Long.parseLong(header.strip());
        } catch (NumberFormatException e) {
            throw new ApiFailure(400, "The manager epoch must be a whole number.", "epoch");
        }
        if (epoch < newest) {
            throw new ApiFailure(409, "This command comes from a manager of epoch " + epoch + ", deposed: the leader of epoch "
                    + newest + " commands here now.", "epoch");
        }
        if (epoch > newest) {
            try {
                AtomicFiles.write(file, Long.toString(epoch), "rw-------");
            } catch (UncheckedIOException e) {
                throw new ApiFailure(503, "The node agent cannot record the manager epoch: " + e.getMessage(), "epoch");
            }
            newest = epoch;
        }
    }

    public synchronized long newest() {
        return newest;
    }
}
