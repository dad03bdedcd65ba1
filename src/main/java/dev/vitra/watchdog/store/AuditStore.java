package dev.vitra.watchdog.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.store.migration.V3__state_paths_as_code_units;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the audit keeps what it has verified: an H2 file by default, a PostgreSQL database otherwise, with the same
 * Flyway migrations. Opening migrates the schema. Work happens in {@link StoreSession}s, one connection and one
 * transaction at a time.
 *
 * <p>A store belongs to one process while it is open: H2 locks its file; on PostgreSQL a connection kept for the
 * store's lifetime holds a session-level advisory lock, and every commit first checks that this connection still
 * holds it, so a watchdog whose lock went with a dropped connection never commits over one that claimed the store
 * meanwhile.
 */
public final class AuditStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditStore.class);
    /** The default file, as H2 names it on disk. */
    public static final String H2_SUFFIX = ".mv.db";

    /** How long opening a PostgreSQL store waits for the server. */
    static final Duration POSTGRES_OPEN_TIMEOUT = Duration.ofSeconds(10);
    /** How long a session waits for a pooled connection: a pass, or a page of the listener, fails after it. */
    static final Duration POSTGRES_CONNECTION_TIMEOUT = Duration.ofSeconds(5);
    /** The advisory lock key that marks a PostgreSQL database as one watchdog's store ("vitra-wd" in ASCII). */
    static final long POSTGRES_LOCK_KEY = 0x76697472_612d7764L;

    private final DataSource dataSource;
    private final String description;
    private final StoreLock lock;
    /** What closes with the store (a connection pool), if anything. */
    private final AutoCloseable owned;
    /**
     * Held open for the store's lifetime: H2 closes (and unlocks) a file when its last connection closes; on
     * PostgreSQL it holds the advisory lock, and is replaced (the lock claimed again) if the server drops it.
     */
    private Connection keeper;
    /** The PostgreSQL backend of {@link #keeper}, whose lock every commit checks. */
    private volatile long keeperPid;

    private AuditStore(DataSource dataSource, String description, StoreLock lock, AutoCloseable owned, Connection keeper,
            long keeperPid) {
        this.dataSource = dataSource;
        this.description = description;
        this.lock = lock;
        this.owned = owned;
        this.keeper = keeper;
        this.keeperPid = keeperPid;
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
        String description = "H2 file " + name + H2_SUFFIX;
        try {
            H2Migration.migrateOnACopy(name, AuditStore::flyway, AuditStore::refuseNewerSchema);
        } catch (SQLException | FlywayException | java.io.IOException | StoreException e) {
            throw cannotOpen(description, e);
        }
        return open(H2Migration.dataSource(name), description, StoreLock.NONE, null);
    }

    private static Flyway flyway(DataSource dataSource) {
        return Flyway.configure().dataSource(dataSource).locations("classpath:db/migration")
                .javaMigrations(new V3__state_paths_as_code_units()).load();
    }

    /**
     * Opens the audit store in a PostgreSQL database ({@code jdbc:postgresql://host:port/name}), through a pool of at
     * most {@code maxConnections} connections. The database must use UTF-8; it belongs to this process until
     * {@link #close()} (a second watchdog fails to open it).
     */
    public static AuditStore openPostgres(String jdbcUrl, String user, Optional<String> password, int maxConnections) {
        String description = "PostgreSQL " + withoutQuery(jdbcUrl);
        if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new StoreException("not a PostgreSQL JDBC URL (jdbc:postgresql://host:port/database): " + description, true);
        }
        HikariConfig pool = new HikariConfig();
        pool.setPoolName("vitra-store");
        pool.setJdbcUrl(jdbcUrl);
        pool.setUsername(user);
        password.ifPresent(pool::setPassword);
        pool.setMaximumPoolSize(maxConnections);
        pool.setMinimumIdle(1);
        pool.setConnectionTimeout(POSTGRES_CONNECTION_TIMEOUT.toMillis());
        pool.setInitializationFailTimeout(POSTGRES_OPEN_TIMEOUT.toMillis());
        // The audit commits its own transactions (StoreSession); a connection comes out of the pool as it went in.
        pool.setAutoCommit(false);
        pool.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        HikariDataSource dataSource;
        try {
            dataSource = new HikariDataSource(pool);
        } catch (RuntimeException e) {
            throw new StoreException("cannot open the audit store (" + description + "): " + rootMessage(e), e, isLocalInput(e));
        }
        try {
            return open(dataSource, description, POSTGRES_LOCK, dataSource);
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
    }

    /**
     * An older watchdog on a store a newer one migrated would read tables it does not know the meaning of (Flyway
     * ignores such "future" migrations by default): refused, naming both versions, before anything is read.
     */
    private static void refuseNewerSchema(Flyway flyway) {
        org.flywaydb.core.api.MigrationInfo[] all = flyway.info().all();
        List<String> future = java.util.Arrays.stream(all)
                .filter(i -> i.getState() == org.flywaydb.core.api.MigrationState.FUTURE_SUCCESS
                        || i.getState() == org.flywaydb.core.api.MigrationState.FUTURE_FAILED)
                .map(i -> "V" + i.getVersion()).toList();
        if (!future.isEmpty()) {
            String known = java.util.Arrays.stream(all).filter(i -> i.getState() != org.flywaydb.core.api.MigrationState.FUTURE_SUCCESS
                            && i.getState() != org.flywaydb.core.api.MigrationState.FUTURE_FAILED && i.getVersion() != null)
                    .map(i -> "V" + i.getVersion()).reduce((a, b) -> b).orElse("none");
            throw new StoreException("the store's schema was migrated by a newer watchdog (" + String.join(", ", future)
                    + "); this version knows the schema up to " + known
                    + ": run the newer version again, or restore a backup of the store taken before the upgrade", true);
        }
    }

    /** Opens any JDBC data source whose database runs the audit's migrations (H2, PostgreSQL), with no lock of its own. */
    public static AuditStore open(DataSource dataSource, String description) {
        return open(dataSource, description, StoreLock.NONE, null);
    }

    private static AuditStore open(DataSource dataSource, String description, StoreLock lock, AutoCloseable owned) {
        Connection keeper;
        try {
            keeper = dataSource.getConnection();
        } catch (SQLException e) {
            throw cannotOpen(description, e);
        }
        try {
            long pid = lock.claim(keeper);
            Flyway flyway = flyway(dataSource);
            refuseNewerSchema(flyway);
            flyway.migrate();
            return new AuditStore(dataSource, description, lock, owned, keeper, pid);
        } catch (SQLException | FlywayException | StoreException e) {
            closeQuietly(keeper);
            throw cannotOpen(description, e);
        } catch (RuntimeException e) {
            closeQuietly(keeper);
            throw e;
        }
    }

    /** Why a store could not be opened, naming it; wrong credentials or a refused schema are the user's input (exit 2). */
    private static StoreException cannotOpen(String description, Exception e) {
        String prefix = "cannot open the audit store (" + description + "): ";
        return switch (e) {
            case StoreException s -> new StoreException(prefix + s.getMessage(), s, s.localInput());
            case SQLException q -> new StoreException(prefix + rootMessage(q), q, isLocalInput(q));
            default -> new StoreException(prefix + rootMessage(e), e);
        };
    }

    /** A JDBC URL without its query (where drivers take options, a password among them): what logs and errors show. */
    static String withoutQuery(String jdbcUrl) {
        int q = jdbcUrl.indexOf('?');
        return q < 0 ? jdbcUrl : jdbcUrl.substring(0, q) + "?...";
    }

    /** Wrong credentials, an unknown database or role: the configuration's fault (exit 2), not the server's state. */
    private static boolean isLocalInput(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null
                    && (s.getSQLState().startsWith("28") || s.getSQLState().equals("3D000"))) {
                return true;
            }
        }
        return false;
    }

    // ---- the lock ----

    /** How a store keeps other processes out. */
    private interface StoreLock {
        StoreLock NONE = new StoreLock() {
            @Override
            public long claim(Connection keeper) {
                return 0;
            }

            @Override
            public void verify(Connection session, long keeperPid) {
            }
        };

        /** Claims the store on {@code keeper}; returns its backend's id, or throws if another process holds it. */
        long claim(Connection keeper) throws SQLException;

        /** Throws unless the keeper's backend still holds the store, seen from {@code session}'s transaction. */
        void verify(Connection session, long keeperPid) throws SQLException;
    }

    private static final StoreLock POSTGRES_LOCK = new StoreLock() {
        @Override
        public long claim(Connection keeper) throws SQLException {
            try (Statement s = keeper.createStatement()) {
                try (ResultSet rs = s.executeQuery("SHOW server_encoding")) {
                    rs.next();
                    String encoding = rs.getString(1);
                    if (!encoding.equalsIgnoreCase("UTF8")) {
                        throw new StoreException("the PostgreSQL database uses the encoding " + encoding
                                + "; the audit store needs UTF8 (CREATE DATABASE ... ENCODING 'UTF8')", true);
                    }
                }
                long pid;
                try (ResultSet rs = s.executeQuery("SELECT pg_try_advisory_lock(" + POSTGRES_LOCK_KEY + "), pg_backend_pid()")) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        throw new StoreException("another watchdog process has this PostgreSQL database open as its store"
                                + " (advisory lock " + POSTGRES_LOCK_KEY + " is held); two would interleave their passes");
                    }
                    pid = rs.getLong(2);
                }
                keeper.commit();
                return pid;
            }
        }

        @Override
        public void verify(Connection session, long keeperPid) throws SQLException {
            // A bigint advisory key shows in pg_locks as classid (high 32 bits), objid (low 32 bits), objsubid 1.
            try (PreparedStatement p = session.prepareStatement("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                    + " AND classid::bigint = ? AND objid::bigint = ? AND objsubid = 1 AND pid = ? AND granted")) {
                p.setLong(1, POSTGRES_LOCK_KEY >>> 32);
                p.setLong(2, POSTGRES_LOCK_KEY & 0xffff_ffffL);
                p.setLong(3, keeperPid);
                try (ResultSet rs = p.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) != 1) {
                        throw new StoreException("the store's lock went with the connection that held it (the database"
                                + " dropped it or restarted); nothing is committed until it is claimed again");
                    }
                }
            }
        }
    };

    /**
     * Before a session on PostgreSQL: the connection holding the lock is still there, or, if the server dropped it, a
     * new one claims the lock again. Fails with the reason when it cannot (the server is down, another watchdog took
     * the store meanwhile).
     */
    private synchronized void ensureClaimed() {
        if (lock == StoreLock.NONE) {
            return;
        }
        try {
            if (keeper.isValid(2)) {
                return;
            }
        } catch (SQLException e) {
            // treated as lost, below
        }
        closeQuietly(keeper);
        // The pool may hand out connections the server dropped along with the keeper: each fails once and is evicted.
        // A pool that cannot connect at all fails at once (after its connection timeout), not once per attempt.
        SQLException last = null;
        for (int attempt = 0; attempt < RECLAIM_ATTEMPTS; attempt++) {
            Connection next;
            try {
                next = dataSource.getConnection();
            } catch (SQLException e) {
                last = e;
                break;
            }
            try {
                keeperPid = lock.claim(next);
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
                + " claim it again: " + rootMessage(last), last);
    }

    private static final int RECLAIM_ATTEMPTS = 8;

    private long lastPingAt;
    private Optional<String> lastPing = Optional.empty();

    /**
     * Whether the store answers, within about two seconds and without waiting for the pool (for /readyz and the
     * heartbeat): empty when it does, else why not. Asked often, it answers from the last second's check.
     */
    public synchronized Optional<String> problem() {
        long now = System.nanoTime();
        if (now - lastPingAt < Duration.ofSeconds(1).toNanos()) {
            return lastPing;
        }
        Optional<String> result;
        try {
            result = keeper.isValid(2) ? Optional.empty()
                    : Optional.of("the store's connection (" + description + ") does not answer");
        } catch (SQLException e) {
            result = Optional.of("the store's connection (" + description + ") failed: " + e.getMessage());
        }
        lastPingAt = System.nanoTime();
        lastPing = result;
        return result;
    }

    // ---- sessions ----

    /** Databases a pass is running on in this process (the lock keeps other processes out). */
    private final Set<LogId> busy = ConcurrentHashMap.newKeySet();

    /**
     * Exclusive use of one database's stored state for one pass: two passes over the same database at once would
     * interleave their writes (a monitor renamed while its pass still runs, say). Empty while another pass holds it.
     */
    public Optional<AutoCloseable> lease(LogId indexLog) {
        if (!busy.add(indexLog)) {
            return Optional.empty();
        }
        return Optional.of(() -> busy.remove(indexLog));
    }

    private volatile FindingListener findingListener = FindingListener.NONE;

    /** Who is told of findings recorded and resolved from now on, in their sessions' transactions (the alert planner). */
    public void setFindingListener(FindingListener listener) {
        this.findingListener = listener;
    }

    /** A new session: its own connection, one transaction at a time; each commit first checks the store's lock. */
    public StoreSession session() {
        ensureClaimed();
        try {
            Connection c = dataSource.getConnection();
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            StoreSession.CommitGuard guard = lock == StoreLock.NONE ? StoreSession.CommitGuard.NONE
                    : connection -> lock.verify(connection, keeperPid);
            return new StoreSession(c, findingListener, guard);
        } catch (SQLException e) {
            throw new StoreException("cannot connect to the audit store (" + description + "): " + rootMessage(e), e);
        }
    }

    public String description() {
        return description;
    }

    /** A failure's message with its root cause's class and message, which often says more (an unknown host). */
    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == e ? e.getMessage() : e.getMessage() + " (" + t.getClass().getSimpleName() + ": " + t.getMessage() + ")";
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
