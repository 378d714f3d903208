package org.idcguard.agent.manager.ha;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import org.idcguard.agent.http.ApiFailure;
import org.idcguard.agent.manager.EventLog;
import org.idcguard.agent.manager.MetadataStore;
import org.idcguard.model.HaSettings;

/** The probe settings, kept in the metadata store; a change is checked against the failure-window rules first. */
public final class HaSettingsStore {
    private final MetadataStore store;
    private final EventLog events;
    private volatile HaSettings current;

    public HaSettingsStore(MetadataStore store, EventLog events) {
        this.store = store;
        this.events = events;
        this.current = store.inTransaction(c -> {
            try (PreparedStatement st = c.prepareStatement("SELECT probe_interval_millis, probe_timeout_millis, failed_probes, "
                    + "stream_silence_millis FROM ha_setting WHERE id = 1")) {
                ResultSet rs = st.executeQuery();
                return rs.next() ? new HaSettings(rs.getInt(1), rs.getInt(2), rs.getInt(3), rs.getInt(4)) : HaSettings.DEFAULTS;
            }
        });
    }

    public HaSettings current() {
        return current;
    }

    public HaSettings update(HaSettings wanted) {
        wanted.problem().ifPresent(p -> {
            throw new ApiFailure(400, p.getMessage(), p.field());
        });
        store.inTransaction(c -> {
            try (PreparedStatement st = c.prepareStatement("UPDATE ha_setting SET probe_interval_millis = ?, probe_timeout_millis = ?, "
                    + "failed_probes = ?, stream_silence_millis = ? WHERE id = 1")) {
                st.setInt(1, wanted.probeIntervalMillis());
                st.setInt(2, wanted.probeTimeoutMillis());
                st.setInt(3, wanted.failedProbes());
                st.setInt(4, wanted.streamSilenceMillis());
                st.executeUpdate();
            }
            events.record(c, "settings.ha", "manager", "Probe settings changed: every " + wanted.probeIntervalMillis()
                    + " ms, timeout " + wanted.probeTimeoutMillis() + " ms, down after " + wanted.failedProbes()
                    + " failed probes (" + wanted.failureWindowMillis() + " ms), stream silence " + wanted.streamSilenceMillis() + " ms.");
            return null;
        });
        current = wanted;
        return wanted;
    }
}
