package dev.vitra.watchdog.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Consumer;
import java.util.function.Function;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;

/**
 * Migrates an H2 store file so that a process killed halfway leaves it as it was. H2 commits each DDL statement on its
 * own, so a migration killed between two statements left tables Flyway has no record of ("table already exists"),
 * and the store could never be opened again. Migrations therefore run on a copy, which replaces the file in one
 * rename once complete; a crash leaves the file untouched and a stale copy, removed by the next attempt.
 * (PostgreSQL runs each migration in one transaction and needs none of this.)
 */
final class H2Migration {
    private static final String COPY = ".migrating";
    /** Beside the store while it is migrated, so two processes never migrate (or replace) one file at once. */
    static final String LOCK_FILE_SUFFIX = ".migration.lock";

    private H2Migration() {
    }

    /** The store's data source. It is closed by its owner, never by H2 itself when the JVM begins to exit. */
    static JdbcDataSource dataSource(String name) {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:file:" + name + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE");
        h2.setUser("sa");
        h2.setPassword("");
        return h2;
    }

    /**
     * Brings the store {@code name} (without {@code .mv.db}) to the current schema, creating it if needed: nothing
     * happens when no migration is pending; otherwise the file is copied, the copy migrated, flushed and renamed over
     * the file. {@code check} sees the live store's migrations first (to refuse a newer schema).
     */
    static void migrateOnACopy(String name, Function<DataSource, Flyway> flyway, Consumer<Flyway> check)
            throws IOException, SQLException {
        Path live = Path.of(name + AuditStore.H2_SUFFIX);
        String copyName = name + COPY;
        Path copy = Path.of(copyName + AuditStore.H2_SUFFIX);
        // One opener at a time in this JVM (a second FileChannel lock here would throw), and across processes.
        synchronized (H2Migration.class) {
            try (FileChannel channel = FileChannel.open(Path.of(name + LOCK_FILE_SUFFIX), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE)) {
                channel.lock(); // released when the channel closes
                Files.deleteIfExists(copy); // a migration killed before its rename: the store is as it was before it
                if (Files.exists(live)) {
                    DataSource current = dataSource(name);
                    try (Connection open = current.getConnection()) { // keeps the database open while Flyway looks
                        open.setAutoCommit(true);
                        Flyway f = flyway.apply(current);
                        check.accept(f);
                        if (f.info().pending().length == 0) {
                            return;
                        }
                    } // the last connection closed: H2 closes the file, so the copy below is of a quiet file
                    Files.copy(live, copy);
                }
                DataSource migrating = dataSource(copyName);
                try (Connection open = migrating.getConnection()) {
                    open.setAutoCommit(true);
                    flyway.apply(migrating).migrate();
                }
                try (FileChannel written = FileChannel.open(copy, StandardOpenOption.WRITE)) {
                    written.force(true);
                }
                Files.move(copy, live, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                try (FileChannel dir = FileChannel.open(live.getParent(), StandardOpenOption.READ)) {
                    dir.force(true); // the rename itself survives a power loss
                }
            }
        }
    }
}
