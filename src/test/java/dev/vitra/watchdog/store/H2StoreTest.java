package dev.vitra.watchdog.store;

import java.nio.file.Path;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.io.TempDir;

/** The store suite on the default backend, an H2 file. */
class H2StoreTest extends StoreSuite {
    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("watchdog.mv.db");
    }

    @Override
    AuditStore openNew() {
        return AuditStore.openH2(file());
    }

    @Override
    AuditStore reopen() {
        return AuditStore.openH2(file());
    }

    @Override
    DataSource dataSource() {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:file:" + dir.resolve("watchdog") + ";WRITE_DELAY=0");
        h2.setUser("sa");
        h2.setPassword("");
        return h2;
    }
}
