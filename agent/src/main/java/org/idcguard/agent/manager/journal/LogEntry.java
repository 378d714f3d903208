package org.idcguard.agent.manager.journal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.idcguard.agent.http.Json;

/** One committed metadata transaction of the leader: the epoch it led in and its write statements, in order. */
public record LogEntry(long epoch, List<LoggedStatement> statements) {

    /** Compressed JSON: a znode holds at most about 1 MB, and drill reports are long but repetitive. */
    public byte[] toBytes() {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
                Json.MAPPER.writeValue(gz, this);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static LogEntry fromBytes(byte[] data) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(data))) {
            return Json.MAPPER.readValue(in, LogEntry.class);
        } catch (IOException e) {
            throw new UncheckedIOException("A metadata log entry cannot be read: " + e.getMessage(), e);
        }
    }
}
