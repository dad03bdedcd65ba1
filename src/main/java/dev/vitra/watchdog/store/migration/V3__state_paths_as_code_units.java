package dev.vitra.watchdog.store.migration;

import dev.vitra.watchdog.merkle.TreeHasher;
import dev.vitra.watchdog.store.CodeUnits;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * State paths become their exact UTF-16 code units ({@code state_entry.path_units}, BYTEA) instead of text: a path may
 * hold NUL or a lone surrogate, which PostgreSQL's text refuses or alters, and the path hash and sort key, computed
 * before with a charset that replaced lone surrogates, are computed again from the code units. (A Java migration:
 * SQL cannot compute them.)
 */
// Flyway reads the version and the description from the class name.
public final class V3__state_paths_as_code_units extends BaseJavaMigration {
    /** Code units of a path in its sort key (StoreSession.SORT_KEY_CHARS as of this version). */
    private static final int SORT_KEY_CHARS = 256;

    @Override
    public void migrate(Context context) throws SQLException {
        Connection c = context.getConnection();
        try (Statement s = c.createStatement()) {
            s.execute("ALTER TABLE state_entry ADD COLUMN path_units BYTEA");
        }
        // Rows are rewritten under a new primary key (the hash changes for paths with a lone surrogate), so they are
        // read first and written back as new rows.
        TreeHasher hasher = new TreeHasher();
        try (Statement read = c.createStatement();
             ResultSet rs = read.executeQuery("SELECT db_id, path_hash, path FROM state_entry");
             PreparedStatement update = c.prepareStatement(
                     "UPDATE state_entry SET path_units = ?, path_hash = ?, sort_key = ? WHERE db_id = ? AND path_hash = ?")) {
            int batched = 0;
            while (rs.next()) {
                String path = rs.getString(3);
                byte[] units = CodeUnits.encode(path);
                update.setBytes(1, units);
                update.setBytes(2, hasher.sha256(units).bytes());
                update.setBytes(3, CodeUnits.encode(path, SORT_KEY_CHARS));
                update.setLong(4, rs.getLong(1));
                update.setBytes(5, rs.getBytes(2));
                update.addBatch();
                if (++batched % 1000 == 0) {
                    update.executeBatch();
                }
            }
            update.executeBatch();
        }
        try (Statement s = c.createStatement()) {
            s.execute("ALTER TABLE state_entry ALTER COLUMN path_units SET NOT NULL");
            s.execute("ALTER TABLE state_entry DROP COLUMN path");
        }
    }
}
