package org.idcguard.agent.manager.journal;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Wraps a metadata connection so that every write statement run on it is recorded with its parameters, for the
 * replicated log. The first write of a transaction takes the store's write lock (held until commit or rollback), so
 * the log's order is the order in which the leader's copy changed and every copy replays to the same rows.
 */
public final class StatementRecorder {
    private static final Pattern INSERT_INTO = Pattern.compile("^\\s*INSERT\\s+INTO\\s+(\\w+)", Pattern.CASE_INSENSITIVE);
    private static final Set<String> SETTERS = Set.of("setString", "setLong", "setInt", "setBoolean", "setObject", "setNull");
    private final Connection raw;
    private final Set<String> identityTables;
    private final Runnable takeWriteLock;
    private final StatementShape shape;
    private final List<LoggedStatement> written = new ArrayList<>();
    private boolean locked;

    /**
     * @param identityTables upper-case names of the tables whose id column is generated
     * @param takeWriteLock  called once, before the transaction's first write
     * @param shape          what the log may carry: a write of another shape is refused before it runs
     */
    public StatementRecorder(Connection raw, Set<String> identityTables, Runnable takeWriteLock, StatementShape shape) {
        this.raw = raw;
        this.identityTables = identityTables;
        this.takeWriteLock = takeWriteLock;
        this.shape = shape;
    }

    /** The connection the caller's work runs on. */
    public Connection connection() {
        return proxy(Connection.class, (p, m, args) -> {
            if (m.getName().equals("prepareStatement")) {
                return preparedStatement((String) args[0], (PreparedStatement) invoke(raw, m, args));
            }
            if (m.getName().equals("createStatement")) {
                return statement((Statement) invoke(raw, m, args));
            }
            if (m.getName().equals("prepareCall") || m.getName().equals("setAutoCommit") || m.getName().equals("commit")
                    || m.getName().equals("rollback") || m.getName().equals("setSavepoint")) {
                throw new SQLException("A replicated metadata transaction does not allow " + m.getName() + ".");
            }
            return invoke(raw, m, args);
        });
    }

    /** Whether the transaction wrote anything. */
    public boolean wrote() {
        return !written.isEmpty();
    }

    /** Whether this transaction holds the store's write lock (it must release it after commit or rollback). */
    public boolean holdsWriteLock() {
        return locked;
    }

    public List<LoggedStatement> written() {
        return List.copyOf(written);
    }

    private PreparedStatement preparedStatement(String sql, PreparedStatement st) {
        Object[] params = new Object[64];
        int[] count = {0};
        return proxy(PreparedStatement.class, (p, m, args) -> {
            String name = m.getName();
            if (SETTERS.contains(name)) {
                int index = (Integer) args[0];
                params[index - 1] = name.equals("setNull") ? null : args[1];
                count[0] = Math.max(count[0], index);
                return invoke(st, m, args);
            }
            if (name.equals("clearParameters")) {
                Arrays.fill(params, null);
                count[0] = 0;
                return invoke(st, m, args);
            }
            if (name.startsWith("set") && args != null && args.length >= 2 && args[0] instanceof Integer) {
                throw new SQLException("A replicated metadata statement cannot carry a parameter set by " + name + ".");
            }
            if (name.equals("addBatch") || name.equals("executeBatch")) {
                throw new SQLException("A replicated metadata transaction does not allow batches.");
            }
            if ((name.equals("execute") || name.equals("executeUpdate") || name.equals("executeQuery") || name.equals("executeLargeUpdate"))
                    && (args == null || args.length == 0)) {
                return execute(sql, Arrays.asList(Arrays.copyOf(params, count[0])), () -> invoke(st, m, args));
            }
            if (name.startsWith("execute")) {
                throw new SQLException("A prepared metadata statement runs only its own SQL.");
            }
            return invoke(st, m, args);
        });
    }

    private Statement statement(Statement st) {
        return proxy(Statement.class, (p, m, args) -> {
            String name = m.getName();
            if (name.equals("addBatch") || name.equals("executeBatch")) {
                throw new SQLException("A replicated metadata transaction does not allow batches.");
            }
            if (name.startsWith("execute") && args != null && args.length == 1 && args[0] instanceof String sql) {
                return execute(sql, List.of(), () -> invoke(st, m, args));
            }
            if (name.startsWith("execute")) {
                throw new SQLException("A metadata statement is run without generated keys or options when replicated.");
            }
            return invoke(st, m, args);
        });
    }

    private Object execute(String sql, List<Object> params, SqlCall call) throws Throwable {
        if (!isWrite(sql)) {
            return call.run();
        }
        boolean logged = !sql.strip().toUpperCase(Locale.ROOT).startsWith("SELECT");
        if (logged) {
            shape.check(sql);
        }
        if (!locked) {
            takeWriteLock.run();
            locked = true;
        }
        Object result = call.run();
        if (logged) {
            written.add(withKey(sql, params));
        }
        return result;
    }

    /** The id just given to a row inserted into a table with a generated id (the highest: writes are one at a time). */
    private LoggedStatement withKey(String sql, List<Object> params) throws SQLException {
        Matcher insert = INSERT_INTO.matcher(sql);
        if (insert.find() && identityTables.contains(insert.group(1).toUpperCase(Locale.ROOT))) {
            String table = insert.group(1).toUpperCase(Locale.ROOT);
            try (Statement st = raw.createStatement(); ResultSet rs = st.executeQuery("SELECT MAX(id) FROM " + table)) {
                rs.next();
                return new LoggedStatement(sql, params, table, rs.getLong(1));
            }
        }
        return new LoggedStatement(sql, params, null, null);
    }

    /** Anything but a plain read; a read that locks rows (FOR UPDATE) takes the write lock too, but is not logged. */
    public static boolean isWrite(String sql) {
        String s = sql.strip().toUpperCase(Locale.ROOT);
        boolean read = s.startsWith("SELECT") || s.startsWith("WITH") || s.startsWith("VALUES") || s.startsWith("SHOW")
                || s.startsWith("EXPLAIN");
        return !read || s.contains("FOR UPDATE");
    }

    @FunctionalInterface
    private interface SqlCall {
        Object run() throws Throwable;
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, InvocationHandler handler) {
        return (T) Proxy.newProxyInstance(StatementRecorder.class.getClassLoader(), new Class<?>[] {type}, handler);
    }

    private static Object invoke(Object target, Method m, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
