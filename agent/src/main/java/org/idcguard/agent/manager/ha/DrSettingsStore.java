package org.idcguard.agent.manager.ha;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import org.idcguard.agent.http.ApiFailure;
import org.idcguard.agent.manager.EventLog;
import org.idcguard.agent.manager.MetadataStore;
import org.idcguard.model.DrSettings;

/** The DR city's alert thresholds and restore-point interval, kept in the metadata store and read on every tick. */
public final class DrSettingsStore {
    private final MetadataStore store;
    private final EventLog events;

    public DrSettingsStore(MetadataStore store, EventLog events) {
        this.store = store;
        this.events = events;
    }

    /** Read from the store each time: on a manager quorum, another manager may have changed them. */
    public DrSettings current() {
        return store.inTransaction(c -> {
            try (PreparedStatement st = c.prepareStatement("SELECT lag_alert_bytes, lag_alert_millis, restore_point_millis "
                    + "FROM dr_setting WHERE id = 1")) {
                ResultSet rs = st.executeQuery();
                return rs.next() ? new DrSettings(rs.getLong(1), rs.getInt(2), rs.getInt(3)) : DrSettings.DEFAULTS;
            }
        });
    }

    public DrSettings update(DrSettings wanted) {
        wanted.problem().ifPresent(p -> {
            throw new ApiFailure(400, p.getMessage(), p.field());
        });
        store.inTransaction(c -> {
            try (PreparedStatement st = c.prepareStatement("UPDATE dr_setting SET lag_alert_bytes = ?, lag_alert_millis = ?, "
                    + "restore_point_millis = ? WHERE id = 1")) {
                st.setLong(1, wanted.lagAlertBytes());
                st.setInt(2, wanted.lagAlertMillis());
                st.setInt(3, wanted.restorePointMillis());
                st.executeUpdate();
            }
            events.record(c, "settings.dr", "manager", "DR settings changed: alert when a DR standby lags over "
                    + wanted.lagAlertBytes() + " bytes or " + wanted.lagAlertMillis() + " ms; restore points every "
                    + wanted.restorePointMillis() + " ms.");
            return null;
        });
        return wanted;
    }
}
