package org.idcguard.agent.manager;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.idcguard.model.Idc;

/** SQL for the idc table; callers supply the connection so that checks and writes share a transaction. */
public final class IdcRepository {

    public List<Idc> all(Connection c) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT name, province, city FROM idc ORDER BY name")) {
            return read(st.executeQuery());
        }
    }

    public Optional<Idc> find(Connection c, String name) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT name, province, city FROM idc WHERE name = ?")) {
            st.setString(1, name);
            return read(st.executeQuery()).stream().findFirst();
        }
    }

    /** Names are unique regardless of letter case, so "idc1" cannot stand beside "IDC1". */
    public Optional<Idc> findIgnoringCase(Connection c, String name) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT name, province, city FROM idc WHERE LOWER(name) = LOWER(?)")) {
            st.setString(1, name);
            return read(st.executeQuery()).stream().findFirst();
        }
    }

    public void insert(Connection c, Idc idc) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("INSERT INTO idc (name, province, city) VALUES (?, ?, ?)")) {
            st.setString(1, idc.name());
            st.setString(2, idc.province());
            st.setString(3, idc.city());
            st.executeUpdate();
        }
    }

    public void update(Connection c, String name, Idc idc) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE idc SET name = ?, province = ?, city = ? WHERE name = ?")) {
            st.setString(1, idc.name());
            st.setString(2, idc.province());
            st.setString(3, idc.city());
            st.setString(4, name);
            st.executeUpdate();
        }
    }

    public void delete(Connection c, String name) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("DELETE FROM idc WHERE name = ?")) {
            st.setString(1, name);
            st.executeUpdate();
        }
    }

    private static List<Idc> read(ResultSet rs) throws SQLException {
        List<Idc> idcs = new ArrayList<>();
        while (rs.next()) {
            idcs.add(new Idc(rs.getString(1), rs.getString(2), rs.getString(3)));
        }
        return idcs;
    }
}
