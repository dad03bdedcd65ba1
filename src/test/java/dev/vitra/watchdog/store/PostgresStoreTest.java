package dev.vitra.watchdog.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** The store suite on a real PostgreSQL server (Debian's binaries), a new database per test. */
class PostgresStoreTest extends StoreSuite {
    private String url;

    @BeforeEach
    void newDatabase() {
        url = PostgresServer.newDatabase();
    }

    @Override
    AuditStore openNew() {
        return AuditStore.openPostgres(url, PostgresServer.USER, Optional.of(PostgresServer.PASSWORD), 4);
    }

    @Override
    AuditStore reopen() {
        return openNew();
    }

    @Override
    DataSource dataSource() {
        PGSimpleDataSource pg = new PGSimpleDataSource();
        pg.setURL(url);
        pg.setUser(PostgresServer.USER);
        pg.setPassword(PostgresServer.PASSWORD);
        return pg;
    }

    @Test
    void aDatabaseNotInUtf8IsRefusedWithTheReason() {
        String ascii = PostgresServer.shared().createDatabase("ascii_" + ProcessHandle.current().pid() + "_" + System.nanoTime(),
                "SQL_ASCII");
        assertThatThrownBy(() -> AuditStore.openPostgres(ascii, PostgresServer.USER, Optional.of(PostgresServer.PASSWORD), 2))
                .isInstanceOf(StoreException.class).hasMessageContaining("SQL_ASCII").hasMessageContaining("UTF8");
    }

    @Test
    void aWrongPasswordIsRefusedNamingTheStore() {
        assertThatThrownBy(() -> AuditStore.openPostgres(url, PostgresServer.USER, Optional.of("wrong"), 2))
                .isInstanceOf(StoreException.class).hasMessageContaining("PostgreSQL " + url)
                .hasMessageContaining("password authentication failed");
    }

    @Test
    void aUrlOfAnotherDatabaseIsRefused() {
        assertThatThrownBy(() -> AuditStore.openPostgres("jdbc:mysql://127.0.0.1/w", "u", Optional.empty(), 2))
                .isInstanceOf(StoreException.class).hasMessageContaining("not a PostgreSQL JDBC URL");
    }

    @Test
    void aStoreBelongsToOneWatchdogUntilItsOwnerClosesIt() {
        // Like an H2 file's lock: two watchdogs on one database would interleave their passes.
        AuditStore first = openNew();
        assertThatThrownBy(this::reopen).isInstanceOf(StoreException.class)
                .hasMessageContaining("cannot open the audit store (PostgreSQL " + url + ")")
                .hasMessageContaining("another watchdog process");
        first.close();
        try (AuditStore second = reopen(); StoreSession s = second.session()) {
            assertThat(s.databases()).isEmpty();
        }
    }

    @Test
    void aStoreWhoseLockConnectionWasDroppedClaimsItAgainOrRefusesToWork() throws Exception {
        try (AuditStore a = openNew()) {
            terminateConnections();
            // Meanwhile another watchdog took the free store: the first must not run a pass on it.
            try (AuditStore b = reopen(); StoreSession other = b.session()) {
                assertThat(other.databases()).isEmpty();
                assertThatThrownBy(a::session).isInstanceOf(StoreException.class)
                        .hasMessageContaining("lost the connection holding its lock").hasMessageContaining("another watchdog process");
            }
            // Free again: the first claims it anew and works; a newcomer is kept out again.
            awaitSession(a);
            assertThatThrownBy(this::reopen).hasMessageContaining("another watchdog process");
        }
    }

    @Test
    void aPassWhoseLockWentWithItsConnectionCommitsNothingOnceAnotherWatchdogHoldsTheStore() throws Exception {
        try (AuditStore a = openNew(); StoreSession session = a.session()) {
            long db = session.createDatabase(logId(), "u", 0).id();
            session.commit();
            session.statePut(db, "/k", Optional.of(new Rows.StateEntry("/k", "1", 1)));
            try (java.sql.Connection other = java.sql.DriverManager.getConnection(url, PostgresServer.USER, PostgresServer.PASSWORD);
                 java.sql.Statement s = other.createStatement()) {
                // The server drops the connection that held the lock (only that one), and another watchdog takes it.
                s.execute("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted");
                awaitLockFree(s);
                s.execute("SELECT pg_advisory_lock(" + AuditStore.POSTGRES_LOCK_KEY + ")");
                assertThatThrownBy(session::commit).isInstanceOf(StoreException.class)
                        .hasMessageContaining("the store's lock went with the connection that held it");
            }
            session.rollback();
            assertThat(session.stateGet(db, "/k")).isEmpty();
        }
    }

    private static void awaitLockFree(java.sql.Statement s) throws Exception {
        for (int i = 0; i < 100; i++) {
            try (java.sql.ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted")) {
                rs.next();
                if (rs.getLong(1) == 0) {
                    return;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the terminated backend still holds the lock");
    }

    private static dev.vitra.watchdog.note.LogId logId() {
        return dev.vitra.watchdog.note.LogId.parse(dev.vitra.watchdog.note.LogId.signerFor(new byte[32]).publicKey().toHex());
    }

    @Test
    void theStoreSaysWhetherItIsReachableFromItsOwnConnectionNotThePool() throws Exception {
        try (AuditStore a = openNew()) {
            assertThat(a.problem()).isEmpty();
            terminateConnections();
            Thread.sleep(1100); // past the cached answer
            assertThat(a.problem()).hasValueSatisfying(p -> assertThat(p).contains("PostgreSQL " + url));
            awaitSession(a); // claims the lock again
            Thread.sleep(1100);
            assertThat(a.problem()).isEmpty();
        }
    }

    /** A session once the pool has replaced its dropped connections (it may hand out one dead connection first). */
    private static void awaitSession(AuditStore store) throws InterruptedException {
        for (int attempt = 0; ; attempt++) {
            try (StoreSession s = store.session()) {
                s.databases();
                return;
            } catch (StoreException e) {
                if (attempt == 20 || e.getMessage().contains("another watchdog process")) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    private void terminateConnections() throws Exception {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, PostgresServer.USER, PostgresServer.PASSWORD);
             java.sql.Statement s = c.createStatement()) {
            s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
                    + " AND pid <> pg_backend_pid()");
        }
    }
}
