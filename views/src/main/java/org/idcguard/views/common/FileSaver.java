package org.idcguard.views.common;

import java.io.File;
import java.io.IOException;

/**
 * The door to the disk for what a DBA exports from a screen: the views make the bytes, the app writes them (called
 * through {@link Background}, never on the FX thread).
 */
@FunctionalInterface
public interface FileSaver {
    void save(File target, byte[] content) throws IOException;
}
