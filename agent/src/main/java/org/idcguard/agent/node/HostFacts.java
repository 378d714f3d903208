package org.idcguard.agent.node;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.idcguard.model.ComputerFacts;

/** Reads the facts a node agent reports about its host. PostgreSQL is looked up once: installing it needs a restart. */
final class HostFacts {
    private final String address;
    private final Path dataRoot;
    private final PostgresBinaries postgres;

    HostFacts(String address, Path dataRoot) {
        this.address = address;
        this.dataRoot = dataRoot;
        this.postgres = PostgresBinaries.find().orElse(null);
    }

    ComputerFacts read() {
        var os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return new ComputerFacts(address, Runtime.getRuntime().availableProcessors(), os.getTotalMemorySize(),
                freeDisk(), postgres == null ? null : postgres.version(),
                postgres == null ? null : postgres.binDir().toString());
    }

    private long freeDisk() {
        try {
            return Files.getFileStore(dataRoot).getUsableSpace();
        } catch (IOException e) {
            return 0;
        }
    }
}
