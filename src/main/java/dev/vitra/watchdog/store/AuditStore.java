package dev.vitra.watchdog.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.h2.jdbcx.JdbcDataSource;

/**
 * Where the audit keeps what it has verified: an H2 file by default, any JDBC database that runs the same Flyway
 * migrations (PostgreSQL) otherwise. Opening migrates the schema. Work happens in {@link StoreSession}s, one
 * connection and one transaction at a time.
 */
public final class AuditStore implements AutoCloseable {
    /** The default file, as H2 names it on disk. */
    public static final String H2_SUFFIX = ".mv.db";

    private final DataSource dataSource;
    private final String description;
    /** Held open for the store's lifetime: H2 closes (and unlocks) a file when its last connection closes. */
    private final Connection keeper;

    private AuditStore(DataSource dataSource, String description, Connection keeper) {
        this.dataSource = dataSource;
        this.description = description;
        this.keeper = keeper;
    }

    /**
     * Opens (creating it if needed) the H2 database in {@code file}, e.g. {@code data/watchdog.mv.db}; the suffix
     * may be left out. Commits are written to the file before they return (no write delay), so a killed process
     * loses nothing it committed. The file is locked from here until {@link #close()}: another process opening it
     * fails, so two passes never interleave on one store.
     */
    public static AuditStore openH2(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        String name = absolute.toString();
        if (name.endsWith(H2_SUFFIX)) {
            name = name.substring(0, name.length() - H2_SUFFIX.length());
        }
        try {
            Files.createDirectories(absolute.getParent());
        } catch (java.io.IOException e) {
            throw new StoreException("cannot create the directory of " + absolute + ": " + e.getMessage(), e);
        }
        JdbcDataSource h2 = new JdbcDataSource();
        // The store is closed by its owner (the service closes it after its passes commit at shutdown), never by H2
        // itself when the JVM begins to exit.
        h2.setURL("jdbc:h2:file:" + name + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE");
        h2.setUser("sa");
        h2.setPassword("");
        return open(h2, "H2 file " + name + H2_SUFFIX);
    }

    /** Opens any JDBC data source whose database runs the audit's migrations (H2, PostgreSQL). */
    public static AuditStore open(DataSource dataSource, String description) {
        Connection keeper;
        try {
            keeper = dataSource.getConnection();
        } catch (SQLException e) {
            throw new StoreException("cannot open the audit store (" + description + "): " + e.getMessage(), e);
        }
        try {
            Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        } catch (FlywayException e) {
            closeQuietly(keeper);
            throw new StoreException("cannot open the audit store (" + description + "): " + rootMessage(e), e);
        }
        return new AuditStore(dataSource, description, keeper);
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // closing after a failure: nothing more to report
        }
    }

    /** Databases a pass is running on in this process (the H2 file lock keeps other processes out). */
    private final java.util.Set<dev.vitra.watchdog.note.LogId> busy = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * Exclusive use of one database's stored state for one pass: two passes over the same database at once would
     * interleave their writes (a monitor renamed while its pass still runs, say). Empty while another pass holds it.
     */
    public java.util.Optional<AutoCloseable> lease(dev.vitra.watchdog.note.LogId indexLog) {
        if (!busy.add(indexLog)) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(() -> busy.remove(indexLog));
    }

    /** A new session: its own connection, one transaction at a time. */
    public StoreSession session() {
        try {
            Connection c = dataSource.getConnection();
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            return new StoreSession(c);
        } catch (SQLException e) {
            throw new StoreException("cannot connect to the audit store (" + description + "): " + e.getMessage(), e);
        }
    }

    public String description() {
        return description;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == e ? e.getMessage() : e.getMessage() + " (" + t.getMessage() + ")";
    }

    /** Releases the store (for H2: closes and unlocks the file once no session is open). */
    @Override
    public void close() {
        closeQuietly(keeper);
    }
}
