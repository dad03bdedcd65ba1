package dev.vitra.watchdog.store;

import java.nio.file.Files;
import java.nio.file.Path;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.vitra.watchdog.store.migration.V3__state_paths_as_code_units;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
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
    /**
     * Held open for the store's lifetime: H2 closes (and unlocks) a file when its last connection closes; on
     * PostgreSQL it holds the advisory lock, and is replaced (the lock claimed again) if the server drops it.
     */
    private Connection keeper;
    private final Claim claim;

    /** What closes with the store (a connection pool), if anything. */
    private final AutoCloseable owned;

    private AuditStore(DataSource dataSource, String description, Connection keeper, Claim claim, AutoCloseable owned) {
        this.dataSource = dataSource;
        this.description = description;
        this.keeper = keeper;
        this.claim = claim;
        this.owned = owned;
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

    /**
     * Opens the audit store in a PostgreSQL database ({@code jdbc:postgresql://host:port/name}), through a pool of at
     * most {@code maxConnections} connections. The database must use UTF-8. Like an H2 file, the store belongs to one
     * process while it is open: a session-level advisory lock, held by a connection kept for the store's lifetime,
     * makes a second watchdog on the same database fail to open it (two would interleave their passes).
     */
    public static AuditStore openPostgres(String jdbcUrl, String user, Optional<String> password, int maxConnections) {
        if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new StoreException("not a PostgreSQL JDBC URL (jdbc:postgresql://host:port/database): " + jdbcUrl);
        }
        HikariConfig pool = new HikariConfig();
        pool.setPoolName("vitra-store");
        pool.setJdbcUrl(jdbcUrl);
        pool.setUsername(user);
        password.ifPresent(pool::setPassword);
        pool.setMaximumPoolSize(maxConnections);
        pool.setMinimumIdle(1);
        pool.setConnectionTimeout(POSTGRES_CONNECT_TIMEOUT.toMillis());
        pool.setInitializationFailTimeout(POSTGRES_CONNECT_TIMEOUT.toMillis());
        // The audit commits its own transactions (StoreSession); a connection comes out of the pool as it went in.
        pool.setAutoCommit(false);
        pool.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        String description = "PostgreSQL " + jdbcUrl;
        HikariDataSource dataSource;
        try {
            dataSource = new HikariDataSource(pool);
        } catch (RuntimeException e) {
            throw new StoreException("cannot open the audit store (" + description + "): " + rootMessage(e), e);
        }
        try {
            return open(dataSource, description, dataSource, AuditStore::claimPostgres);
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
    }

    /** How long opening a PostgreSQL store waits for a connection (and a pass, for one from the pool). */
    static final java.time.Duration POSTGRES_CONNECT_TIMEOUT = java.time.Duration.ofSeconds(10);

    /** The advisory lock key that marks a PostgreSQL database as one watchdog's store ("vitra-wd" in ASCII). */
    static final long POSTGRES_LOCK_KEY = 0x7669747261_2d7764L;

    private static void claimPostgres(Connection keeper) throws SQLException {
        try (Statement s = keeper.createStatement()) {
            try (ResultSet rs = s.executeQuery("SHOW server_encoding")) {
                rs.next();
                String encoding = rs.getString(1);
                if (!encoding.equalsIgnoreCase("UTF8")) {
                    throw new StoreException("the PostgreSQL database uses the encoding " + encoding
                            + "; the audit store needs UTF8 (CREATE DATABASE ... ENCODING 'UTF8')");
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT pg_try_advisory_lock(" + POSTGRES_LOCK_KEY + ")")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    throw new StoreException("another watchdog process has this PostgreSQL database open as its store"
                            + " (advisory lock " + POSTGRES_LOCK_KEY + " is held); two would interleave their passes");
                }
            }
        }
        keeper.commit();
    }

    /** Opens any JDBC data source whose database runs the audit's migrations (H2, PostgreSQL). */
    public static AuditStore open(DataSource dataSource, String description) {
        return open(dataSource, description, null, NO_CLAIM);
    }

    @FunctionalInterface
    private interface Claim {
        void claim(Connection keeper) throws SQLException;
    }

    private static final Claim NO_CLAIM = keeper -> { };

    /**
     * Before a session on PostgreSQL: the connection holding the advisory lock is still there, or, if the server
     * dropped it (a restart), a new one claims the lock again, so passes never run on a store another watchdog may
     * have claimed meanwhile. Fails with the reason when it cannot.
     */
    private synchronized void ensureClaimed() {
        if (claim == NO_CLAIM) {
            return;
        }
        try {
            if (keeper.isValid(5)) {
                return;
            }
        } catch (SQLException e) {
            // treated as lost, below
        }
        closeQuietly(keeper);
        SQLException last = null;
        // The pool may hand out connections the server dropped along with this one: each fails once and is evicted.
        for (int attempt = 0; attempt < RECLAIM_ATTEMPTS; attempt++) {
            Connection next = null;
            try {
                next = dataSource.getConnection();
                claim.claim(next);
                keeper = next;
                LOG.warn("audit store ({}): the connection holding its lock was lost; claimed it again", description);
                return;
            } catch (SQLException e) {
                closeQuietly(next);
                last = e;
            } catch (StoreException e) {
                closeQuietly(next);
                throw new StoreException("the audit store (" + description + ") lost the connection holding its lock and"
                        + " cannot claim it again: " + e.getMessage(), e);
            }
        }
        throw new StoreException("the audit store (" + description + ") lost the connection holding its lock and cannot"
                + " claim it again: " + last.getMessage(), last);
    }

    private static final int RECLAIM_ATTEMPTS = 8;

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AuditStore.class);

    private static AuditStore open(DataSource dataSource, String description, AutoCloseable owned, Claim claim) {
        Connection keeper;
        try {
            keeper = dataSource.getConnection();
        } catch (SQLException e) {
            throw new StoreException("cannot open the audit store (" + description + "): " + e.getMessage(), e);
        }
        try {
            claim.claim(keeper);
            Flyway.configure().dataSource(dataSource).locations("classpath:db/migration")
                    .javaMigrations(new V3__state_paths_as_code_units()).load().migrate();
        } catch (SQLException e) {
            closeQuietly(keeper);
            throw new StoreException("cannot open the audit store (" + description + "): " + e.getMessage(), e);
        } catch (FlywayException e) {
            closeQuietly(keeper);
            throw new StoreException("cannot open the audit store (" + description + "): " + rootMessage(e), e);
        } catch (StoreException e) {
            closeQuietly(keeper);
            throw new StoreException("cannot open the audit store (" + description + "): " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(keeper);
            throw e;
        }
        return new AuditStore(dataSource, description, keeper, claim, owned);
    }

    private static void closeQuietly(Connection c) {
        if (c == null) {
            return;
        }
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

    private volatile FindingListener findingListener = FindingListener.NONE;

    /** Who is told of findings recorded and resolved from now on, in their sessions' transactions (the alert planner). */
    public void setFindingListener(FindingListener listener) {
        this.findingListener = listener;
    }

    /** A new session: its own connection, one transaction at a time. */
    public StoreSession session() {
        ensureClaimed();
        try {
            Connection c = dataSource.getConnection();
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            return new StoreSession(c, findingListener);
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

    /**
     * Releases the store: for H2, closes and unlocks the file once no session is open; for PostgreSQL, releases the
     * advisory lock and closes the pool.
     */
    @Override
    public synchronized void close() {
        closeQuietly(keeper);
        if (owned != null) {
            try {
                owned.close();
            } catch (Exception e) {
                // closing the pool: its connections are gone with it either way
            }
        }
    }
}
