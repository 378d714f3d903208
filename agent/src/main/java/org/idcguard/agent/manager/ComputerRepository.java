package org.idcguard.agent.manager;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.idcguard.model.Computer;
import org.idcguard.model.ComputerFacts;
import org.idcguard.model.ComputerStatus;

/** SQL for the computer table. */
public final class ComputerRepository {
    private static final String COLUMNS = "address, agent_endpoint, idc, status, cpus, memory_bytes, free_disk_bytes, "
            + "postgres_version, postgres_bin_dir, last_seen_millis";

    public List<Computer> all(Connection c) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT " + COLUMNS + " FROM computer ORDER BY address")) {
            return read(st.executeQuery());
        }
    }

    public Optional<Computer> find(Connection c, String address) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT " + COLUMNS + " FROM computer WHERE address = ?")) {
            st.setString(1, address);
            return read(st.executeQuery()).stream().findFirst();
        }
    }

    public int countBoundTo(Connection c, String idc) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT COUNT(*) FROM computer WHERE idc = ?")) {
            st.setString(1, idc);
            ResultSet rs = st.executeQuery();
            rs.next();
            return rs.getInt(1);
        }
    }

    int countNodesOn(Connection c, String address) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT COUNT(*) FROM node WHERE computer_address = ?")) {
            st.setString(1, address);
            ResultSet rs = st.executeQuery();
            rs.next();
            return rs.getInt(1);
        }
    }

    void insert(Connection c, Computer computer) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("INSERT INTO computer (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            st.setString(1, computer.address());
            st.setString(2, computer.agentEndpoint());
            st.setString(3, computer.idc());
            st.setString(4, computer.status().name());
            bindFacts(st, 5, computer.facts());
            st.setLong(10, computer.lastSeenMillis());
            st.executeUpdate();
        }
    }

    void bind(Connection c, String address, String idc) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE computer SET idc = ? WHERE address = ?")) {
            st.setString(1, idc);
            st.setString(2, address);
            st.executeUpdate();
        }
    }

    void markSeen(Connection c, String address, ComputerFacts facts, long nowMillis) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE computer SET status = 'REACHABLE', cpus = ?, memory_bytes = ?, "
                + "free_disk_bytes = ?, postgres_version = ?, postgres_bin_dir = ?, last_seen_millis = ? WHERE address = ?")) {
            bindFacts(st, 1, facts);
            st.setLong(6, nowMillis);
            st.setString(7, address);
            st.executeUpdate();
        }
    }

    void markStatus(Connection c, String address, ComputerStatus status) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE computer SET status = ? WHERE address = ?")) {
            st.setString(1, status.name());
            st.setString(2, address);
            st.executeUpdate();
        }
    }

    void delete(Connection c, String address) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("DELETE FROM computer WHERE address = ?")) {
            st.setString(1, address);
            st.executeUpdate();
        }
    }

    private static void bindFacts(PreparedStatement st, int first, ComputerFacts facts) throws SQLException {
        st.setInt(first, facts.cpus());
        st.setLong(first + 1, facts.memoryBytes());
        st.setLong(first + 2, facts.freeDiskBytes());
        st.setString(first + 3, facts.postgresVersion());
        st.setString(first + 4, facts.postgresBinDir());
    }

    private static List<Computer> read(ResultSet rs) throws SQLException {
        List<Computer> computers = new ArrayList<>();
        while (rs.next()) {
            String address = rs.getString(1);
            ComputerFacts facts = new ComputerFacts(address, rs.getInt(5), rs.getLong(6), rs.getLong(7), rs.getString(8), rs.getString(9));
            computers.add(new Computer(address, rs.getString(2), rs.getString(3), ComputerStatus.valueOf(rs.getString(4)),
                    facts, rs.getLong(10)));
        }
        return computers;
    }

    /** Locks the computer's row to the end of the transaction; false if there is no such computer. */
    static boolean lockForUpdate(Connection c, String address) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT address FROM computer WHERE address = ? FOR UPDATE")) {
            st.setString(1, address);
            try (java.sql.ResultSet rs = st.executeQuery()) {
                return rs.next();
            }
        }
    }
}
