package dev.vitra.watchdog.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
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
    DataSource atSchemaVersion(String version) {
        PGSimpleDataSource pg = new PGSimpleDataSource();
        pg.setURL(url);
        pg.setUser(PostgresServer.USER);
        pg.setPassword(PostgresServer.PASSWORD);
        Flyway.configure().dataSource(pg).locations("classpath:db/migration").target(version).load().migrate();
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
}
