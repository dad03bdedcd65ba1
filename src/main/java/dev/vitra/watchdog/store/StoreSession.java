package dev.vitra.watchdog.store;

import dev.vitra.watchdog.merkle.TreeHasher;
import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.note.SignedCheckpoint;
import dev.vitra.watchdog.store.Rows.Database;
import dev.vitra.watchdog.store.Rows.DatabaseStatus;
import dev.vitra.watchdog.store.Rows.Finding;
import dev.vitra.watchdog.store.Rows.Log;
import dev.vitra.watchdog.store.Rows.LogRole;
import dev.vitra.watchdog.store.Rows.StateEntry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One connection to the audit store and the transaction open on it. Nothing is visible to other sessions, or
 * survives a crash, until {@link #commit()}; {@link #rollback()} (and {@link #close()} without a commit) drops
 * everything since the last commit. Writes of state entries and tiles are batched and sent at the latest on
 * commit. Not thread-safe.
 */
public final class StoreSession implements AutoCloseable {
    /** Code units of a path that go into its sort key (UTF-16BE, so 512 bytes at most). */
    static final int SORT_KEY_CHARS = 256;

    private final Connection connection;
    private final Map<String, PreparedStatement> statements = new HashMap<>();
    private final FindingListener listener;
    private final CommitGuard guard;

    /** Checked inside the transaction just before it commits (that the store's lock is still held). */
    @FunctionalInterface
    interface CommitGuard {
        CommitGuard NONE = connection -> { };

        void verify(Connection connection) throws SQLException;
    }

    StoreSession(Connection connection, FindingListener listener, CommitGuard guard) {
        this.connection = connection;
        this.listener = listener;
        this.guard = guard;
    }

    // ---- transactions ----

    public void commit() {
        try {
            flushBatches();
            guard.verify(connection);
            connection.commit();
        } catch (SQLException e) {
            throw failure("commit", e);
        }
    }

    public void rollback() {
        try {
            pendingTiles.clear();
            pendingState.clear();
            connection.rollback();
        } catch (SQLException e) {
            throw failure("rollback", e);
        }
    }

    @Override
    public void close() {
        try {
            for (PreparedStatement p : statements.values()) {
                p.close();
            }
            if (!connection.isClosed()) {
                connection.rollback();
                connection.close();
            }
        } catch (SQLException e) {
            throw failure("close", e);
        }
    }

    // ---- databases ----

    public Optional<Database> database(LogId indexLog) {
        return query("SELECT id, index_log, executor_url, status, next_position, genesis_sealed, created_at, last_pass_at"
                + " FROM audited_database WHERE index_log = ?", p -> p.setString(1, indexLog.hex()), rs -> new Database(
                rs.getLong(1), LogId.parse(rs.getString(2)), rs.getString(3), DatabaseStatus.valueOf(rs.getString(4)),
                rs.getLong(5), rs.getBoolean(6), rs.getLong(7), optionalLong(rs, 8))).stream().findFirst();
    }

    public Optional<Database> databaseById(long id) {
        return query("SELECT id, index_log, executor_url, status, next_position, genesis_sealed, created_at, last_pass_at"
                + " FROM audited_database WHERE id = ?", p -> p.setLong(1, id), rs -> new Database(
                rs.getLong(1), LogId.parse(rs.getString(2)), rs.getString(3), DatabaseStatus.valueOf(rs.getString(4)),
                rs.getLong(5), rs.getBoolean(6), rs.getLong(7), optionalLong(rs, 8))).stream().findFirst();
    }

    public List<Database> databases() {
        return query("SELECT id, index_log, executor_url, status, next_position, genesis_sealed, created_at, last_pass_at"
                + " FROM audited_database ORDER BY id", p -> { }, rs -> new Database(rs.getLong(1), LogId.parse(rs.getString(2)),
                rs.getString(3), DatabaseStatus.valueOf(rs.getString(4)), rs.getLong(5), rs.getBoolean(6), rs.getLong(7),
                optionalLong(rs, 8)));
    }

    public Database createDatabase(LogId indexLog, String executorUrl, long now) {
        long id = insertReturningId("INSERT INTO audited_database (index_log, executor_url, status, next_position,"
                + " genesis_sealed, created_at) VALUES (?, ?, ?, 0, FALSE, ?)", p -> {
                    p.setString(1, indexLog.hex());
                    p.setString(2, executorUrl);
                    p.setString(3, DatabaseStatus.AUDITING.name());
                    p.setLong(4, now);
                });
        return new Database(id, indexLog, executorUrl, DatabaseStatus.AUDITING, 0, false, now, OptionalLong.empty());
    }

    public void updateDatabase(Database d) {
        update("UPDATE audited_database SET executor_url = ?, status = ?, next_position = ?, genesis_sealed = ?,"
                + " last_pass_at = ? WHERE id = ?", p -> {
                    p.setString(1, d.executorUrl());
                    p.setString(2, d.status().name());
                    p.setLong(3, d.nextPosition());
                    p.setBoolean(4, d.genesisSealed());
                    setOptionalLong(p, 5, d.lastPassAt());
                    p.setLong(6, d.id());
                });
    }

    // ---- followed logs ----

    private static final String LOG_COLUMNS = "db_id, log_id, role, verified_checkpoint_id, verified_size, next_seq, active,"
            + " added_at, fork_finding_id, fork_checkpoint_id, fork_shared_prefix";

    public List<Log> logs(long dbId) {
        return query("SELECT " + LOG_COLUMNS + " FROM followed_log WHERE db_id = ? ORDER BY role, log_id",
                p -> p.setLong(1, dbId), StoreSession::logRow);
    }

    public Optional<Log> log(long dbId, LogId logId) {
        return query("SELECT " + LOG_COLUMNS + " FROM followed_log WHERE db_id = ? AND log_id = ?", p -> {
            p.setLong(1, dbId);
            p.setString(2, logId.hex());
        }, StoreSession::logRow).stream().findFirst();
    }

    /** Inserts or replaces the row of {@code log}. */
    public void saveLog(Log log) {
        int changed = update("UPDATE followed_log SET role = ?, verified_checkpoint_id = ?, verified_size = ?, next_seq = ?,"
                + " active = ?, added_at = ?, fork_finding_id = ?, fork_checkpoint_id = ?, fork_shared_prefix = ?"
                + " WHERE db_id = ? AND log_id = ?", p -> {
                    p.setString(1, log.role().name());
                    setOptionalLong(p, 2, log.verifiedCheckpointId());
                    p.setLong(3, log.verifiedSize());
                    p.setLong(4, log.nextSeq());
                    p.setBoolean(5, log.active());
                    setOptionalLong(p, 6, log.addedAt());
                    setOptionalLong(p, 7, log.forkFindingId());
                    setOptionalLong(p, 8, log.forkCheckpointId());
                    setOptionalLong(p, 9, log.forkSharedPrefix());
                    p.setLong(10, log.dbId());
                    p.setString(11, log.logId().hex());
                });
        if (changed == 0) {
            update("INSERT INTO followed_log (" + LOG_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", p -> {
                p.setLong(1, log.dbId());
                p.setString(2, log.logId().hex());
                p.setString(3, log.role().name());
                setOptionalLong(p, 4, log.verifiedCheckpointId());
                p.setLong(5, log.verifiedSize());
                p.setLong(6, log.nextSeq());
                p.setBoolean(7, log.active());
                setOptionalLong(p, 8, log.addedAt());
                setOptionalLong(p, 9, log.forkFindingId());
                setOptionalLong(p, 10, log.forkCheckpointId());
                setOptionalLong(p, 11, log.forkSharedPrefix());
            });
        }
    }

    private static Log logRow(ResultSet rs) throws SQLException {
        return new Log(rs.getLong(1), LogId.parse(rs.getString(2)), LogRole.valueOf(rs.getString(3)), optionalLong(rs, 4),
                rs.getLong(5), rs.getLong(6), rs.getBoolean(7), optionalLong(rs, 8), optionalLong(rs, 9), optionalLong(rs, 10),
                optionalLong(rs, 11));
    }

    // ---- checkpoints ----

    /** Stores a checkpoint that verified (once per distinct note) and returns its id. */
    public long recordCheckpoint(long dbId, LogId logId, SignedCheckpoint checkpoint, String sourceUrl, long now) {
        byte[] raw = checkpoint.raw();
        byte[] sha = new TreeHasher().sha256(raw).bytes();
        Optional<Long> existing = query("SELECT id FROM checkpoint WHERE db_id = ? AND log_id = ? AND note_sha256 = ?", p -> {
            p.setLong(1, dbId);
            p.setString(2, logId.hex());
            p.setBytes(3, sha);
        }, rs -> rs.getLong(1)).stream().findFirst();
        if (existing.isPresent()) {
            return existing.get();
        }
        return insertReturningId("INSERT INTO checkpoint (db_id, log_id, tree_size, root_hash, note, note_sha256,"
                + " first_seen_at, source_url, checked) VALUES (?, ?, ?, ?, ?, ?, ?, ?, FALSE)", p -> {
                    p.setLong(1, dbId);
                    p.setString(2, logId.hex());
                    p.setLong(3, checkpoint.size());
                    p.setBytes(4, checkpoint.checkpoint().root().bytes());
                    p.setBytes(5, raw);
                    p.setBytes(6, sha);
                    p.setLong(7, now);
                    p.setString(8, sourceUrl);
                });
    }

    private static final String CHECKPOINT_COLUMNS = "id, log_id, tree_size, root_hash, note, first_seen_at, source_url, checked";

    public Optional<Rows.Checkpoint> checkpoint(long id) {
        return query("SELECT " + CHECKPOINT_COLUMNS + " FROM checkpoint WHERE id = ?", p -> p.setLong(1, id),
                StoreSession::checkpointRow).stream().findFirst();
    }

    /** Checkpoints of a log not yet compared with the verified tree, of at most {@code maxSize}, smallest first. */
    public List<Rows.Checkpoint> uncheckedCheckpoints(long dbId, LogId logId, long maxSize) {
        return query("SELECT " + CHECKPOINT_COLUMNS + " FROM checkpoint WHERE db_id = ? AND log_id = ? AND checked = FALSE"
                + " AND tree_size <= ? ORDER BY tree_size, id", p -> {
                    p.setLong(1, dbId);
                    p.setString(2, logId.hex());
                    p.setLong(3, maxSize);
                }, StoreSession::checkpointRow);
    }

    public void markChecked(long checkpointId) {
        update("UPDATE checkpoint SET checked = TRUE WHERE id = ?", p -> p.setLong(1, checkpointId));
    }

    /** Marks every checkpoint of a log as compared (an operator resolved a fork between them). */
    public void markAllChecked(long dbId, LogId logId) {
        update("UPDATE checkpoint SET checked = TRUE WHERE db_id = ? AND log_id = ?", p -> {
            p.setLong(1, dbId);
            p.setString(2, logId.hex());
        });
    }

    private static Rows.Checkpoint checkpointRow(ResultSet rs) throws SQLException {
        return new Rows.Checkpoint(rs.getLong(1), LogId.parse(rs.getString(2)), rs.getLong(3), rs.getBytes(4), rs.getBytes(5),
                rs.getLong(6), rs.getString(7), rs.getBoolean(8));
    }

    /** When the watchdog first saw a checkpoint of this log covering entry {@code index} (size > index). */
    public OptionalLong firstSeenCovering(long dbId, LogId logId, long index) {
        return query("SELECT MIN(first_seen_at) FROM checkpoint WHERE db_id = ? AND log_id = ? AND tree_size > ?", p -> {
            p.setLong(1, dbId);
            p.setString(2, logId.hex());
            p.setLong(3, index);
        }, rs -> optionalLong(rs, 1)).stream().findFirst().orElse(OptionalLong.empty());
    }

    // ---- mirrored tiles ----

    public Optional<byte[]> tile(long dbId, LogId logId, int level, long index) {
        byte[] pending = pendingTiles.get(new TileKey(dbId, logId.hex(), level, index));
        if (pending != null) {
            return Optional.of(pending.clone());
        }
        return query("SELECT hashes FROM mirror_tile WHERE db_id = ? AND log_id = ? AND tile_level = ? AND tile_index = ?", p -> {
            p.setLong(1, dbId);
            p.setString(2, logId.hex());
            p.setInt(3, level);
            p.setLong(4, index);
        }, rs -> rs.getBytes(1)).stream().findFirst();
    }

    /** Writes a tile (replacing a shorter version of it); batched until the next flush or commit. */
    public void putTile(long dbId, LogId logId, int level, long index, byte[] hashes) {
        pendingTiles.put(new TileKey(dbId, logId.hex(), level, index), hashes.clone());
        if (pendingTiles.size() >= MAX_PENDING) {
            flush();
        }
    }

    public void deleteTiles(long dbId, LogId logId) {
        update("DELETE FROM mirror_tile WHERE db_id = ? AND log_id = ?", p -> {
            p.setLong(1, dbId);
            p.setString(2, logId.hex());
        });
    }

    // ---- contract state ----

    public Optional<StateEntry> stateGet(long dbId, String path) {
        flush();
        return query("SELECT path_units, value_json, written_at FROM state_entry WHERE db_id = ? AND path_hash = ?", p -> {
            p.setLong(1, dbId);
            p.setBytes(2, pathHash(path));
        }, StoreSession::stateRow).stream()
                .filter(e -> e.path().equals(path)).findFirst();
    }

    /** Every entry whose path starts with {@code prefix}, in no particular order. */
    public List<StateEntry> stateWithPrefix(long dbId, String prefix) {
        flush();
        // A path starting with prefix has a sort key starting with the prefix's (or, past SORT_KEY_CHARS, equal to it):
        // the keys from lo up to the first byte string that no longer starts with lo.
        byte[] lo = sortKey(prefix);
        Optional<byte[]> above = followingAllWithPrefix(lo);
        String sql = "SELECT path_units, value_json, written_at FROM state_entry WHERE db_id = ? AND sort_key >= ?";
        return query(above.isPresent() ? sql + " AND sort_key < ?" : sql, p -> {
            p.setLong(1, dbId);
            p.setBytes(2, lo);
            if (above.isPresent()) {
                p.setBytes(3, above.get());
            }
        }, StoreSession::stateRow).stream()
                .filter(e -> e.path().startsWith(prefix)).toList();
    }

    /** Sets {@code path} to a value (or removes it, for an empty value); batched until the next flush or commit. */
    public void statePut(long dbId, String path, Optional<StateEntry> entry) {
        pendingState.put(new StateKey(dbId, path), entry);
        if (pendingState.size() >= MAX_PENDING) {
            flush();
        }
    }

    /** Every state entry, sorted by path in UTF-16 code-unit order (for dumps and tests). */
    public List<StateEntry> stateAll(long dbId) {
        flush();
        List<StateEntry> all = new ArrayList<>(query("SELECT path_units, value_json, written_at FROM state_entry WHERE db_id = ?",
                p -> p.setLong(1, dbId), StoreSession::stateRow));
        all.sort((a, b) -> a.path().compareTo(b.path()));
        return all;
    }

    private static StateEntry stateRow(ResultSet rs) throws SQLException {
        return new StateEntry(CodeUnits.decode(rs.getBytes(1)), rs.getString(2), rs.getLong(3));
    }

    /**
     * The least byte string greater than every string that starts with {@code prefix}: the prefix without its trailing
     * 0xFF bytes, its last byte plus one. Empty when there is none (the prefix is all 0xFF).
     */
    static Optional<byte[]> followingAllWithPrefix(byte[] prefix) {
        int end = prefix.length;
        while (end > 0 && prefix[end - 1] == (byte) 0xff) {
            end--;
        }
        if (end == 0) {
            return Optional.empty();
        }
        byte[] out = java.util.Arrays.copyOf(prefix, end);
        out[end - 1]++;
        return Optional.of(out);
    }

    static byte[] sortKey(String path) {
        return CodeUnits.encode(path, SORT_KEY_CHARS);
    }

    private static byte[] pathHash(String path) {
        return new TreeHasher().sha256(CodeUnits.encode(path)).bytes();
    }

    // ---- findings ----

    private static final String FINDING_COLUMNS = "id, db_id, kind, code, log_id, at_position, entry_position, op_seq,"
            + " dedup_key, summary, facts_json, first_seen_at, last_seen_at, resolved_at, proof_id";

    public Optional<Finding> openFinding(long dbId, String dedupKey) {
        return query("SELECT " + FINDING_COLUMNS + " FROM finding WHERE db_id = ? AND dedup_key = ? AND resolved_at IS NULL",
                p -> {
                    p.setLong(1, dbId);
                    p.setString(2, dedupKey);
                }, StoreSession::findingRow).stream().findFirst();
    }

    public List<Finding> openFindings(long dbId) {
        return query("SELECT " + FINDING_COLUMNS + " FROM finding WHERE db_id = ? AND resolved_at IS NULL ORDER BY id",
                p -> p.setLong(1, dbId), StoreSession::findingRow);
    }

    /** The open findings of every database, by database then id (one query, for planners that look at all). */
    public List<Finding> openFindingsOfAll() {
        return query("SELECT " + FINDING_COLUMNS + " FROM finding WHERE resolved_at IS NULL ORDER BY db_id, id", p -> { },
                StoreSession::findingRow);
    }

    public List<Finding> findings(long dbId) {
        return query("SELECT " + FINDING_COLUMNS + " FROM finding WHERE db_id = ? ORDER BY id", p -> p.setLong(1, dbId),
                StoreSession::findingRow);
    }

    public Optional<Finding> finding(long id) {
        return query("SELECT " + FINDING_COLUMNS + " FROM finding WHERE id = ?", p -> p.setLong(1, id), StoreSession::findingRow)
                .stream().findFirst();
    }

    public long insertFinding(long dbId, String kind, String code, Optional<LogId> log, OptionalLong at, OptionalLong entry,
            OptionalLong opSeq, String dedupKey, String summary, String factsJson, long now) {
        long id = insertReturningId("INSERT INTO finding (db_id, kind, code, log_id, at_position, entry_position, op_seq,"
                + " dedup_key, summary, facts_json, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", p -> {
                    p.setLong(1, dbId);
                    p.setString(2, kind);
                    p.setString(3, code);
                    p.setString(4, log.map(LogId::hex).orElse(null));
                    setOptionalLong(p, 5, at);
                    setOptionalLong(p, 6, entry);
                    setOptionalLong(p, 7, opSeq);
                    p.setString(8, dedupKey);
                    p.setString(9, storableText(summary));
                    p.setString(10, factsJson);
                    p.setLong(11, now);
                    p.setLong(12, now);
                });
        listener.recorded(this, finding(id).orElseThrow(), now);
        return id;
    }

    /**
     * A finding's summary as any SQL text column holds it: NUL and lone surrogates (a path or an error text from a
     * log may carry them; PostgreSQL refuses the first and alters the second) become JSON-style escapes
     * ({@code \\u0000}, {@code \\ud800}). The summary is for people; the facts keep the exact values (as JSON, which
     * escapes them itself).
     */
    static String storableText(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean lone = Character.isHighSurrogate(c) ? i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))
                    : Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(text.charAt(i - 1)));
            if (c == 0 || lone) {
                if (out == null) {
                    out = new StringBuilder(text.length() + 16).append(text, 0, i);
                }
                out.append(String.format("\\u%04x", (int) c));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }

    public void touchFinding(long id, long now) {
        update("UPDATE finding SET last_seen_at = ? WHERE id = ?", p -> {
            p.setLong(1, now);
            p.setLong(2, id);
        });
    }

    public void resolveFinding(long id, long now) {
        int changed = update("UPDATE finding SET resolved_at = ?, last_seen_at = ? WHERE id = ? AND resolved_at IS NULL", p -> {
            p.setLong(1, now);
            p.setLong(2, now);
            p.setLong(3, id);
        });
        if (changed > 0) {
            listener.resolved(this, finding(id).orElseThrow(), now);
        }
    }

    private static Finding findingRow(ResultSet rs) throws SQLException {
        String log = rs.getString(5);
        return new Finding(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                log == null ? Optional.empty() : Optional.of(LogId.parse(log)), optionalLong(rs, 6), optionalLong(rs, 7),
                optionalLong(rs, 8), rs.getString(9), rs.getString(10), rs.getString(11), rs.getLong(12), rs.getLong(13),
                optionalLong(rs, 14), Optional.ofNullable(rs.getString(15)));
    }

    /** Attaches a fraud proof to its finding: the canonical document and its id. */
    public void attachProof(long findingId, String proofId, byte[] proof) {
        update("UPDATE finding SET proof_id = ?, proof = ? WHERE id = ?", p -> {
            p.setString(1, proofId);
            p.setBytes(2, proof);
            p.setLong(3, findingId);
        });
    }

    /** The proof document of a fraud finding. */
    public Optional<byte[]> proof(long findingId) {
        return query("SELECT proof FROM finding WHERE id = ? AND proof IS NOT NULL", p -> p.setLong(1, findingId),
                rs -> rs.getBytes(1)).stream().findFirst();
    }

    /** The largest signed checkpoint recorded for a log (0 when none): what its server published, verified or not. */
    public long largestCheckpointSize(long dbId, LogId logId) {
        return query("SELECT MAX(tree_size) FROM checkpoint WHERE db_id = ? AND log_id = ?", p -> {
            p.setLong(1, dbId);
            p.setString(2, logId.hex());
        }, rs -> rs.getLong(1)).stream().findFirst().orElse(0L);
    }

    /** A stored proof document by its id (the SHA-256 of its bytes), whichever finding it belongs to. */
    public Optional<byte[]> proofById(String proofId) {
        return query("SELECT proof FROM finding WHERE proof_id = ? AND proof IS NOT NULL ORDER BY id LIMIT 1",
                p -> p.setString(1, proofId), rs -> rs.getBytes(1)).stream().findFirst();
    }

    // ---- alert outbox ----

    private static final String ALERT_COLUMNS = "id, db_id, finding_id, code, incident, channel, monitor, kind, event, dedup_key,"
            + " message_id, created_at, next_attempt_at, attempts, delivered_at, failed_at, last_error";

    /**
     * Puts an alert in the outbox, due now, unless one with the same dedup key is there already (planning is
     * idempotent). Returns whether it was added.
     */
    public boolean insertAlert(long dbId, long findingId, String code, String incident, String channel, String monitor,
            String kind, String event, String dedupKey, String messageId, long now) {
        if (!query("SELECT id FROM alert WHERE dedup_key = ?", p -> p.setString(1, dedupKey), rs -> rs.getLong(1)).isEmpty()) {
            return false;
        }
        update("INSERT INTO alert (db_id, finding_id, code, incident, channel, monitor, kind, event, dedup_key, message_id,"
                + " created_at, next_attempt_at, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)", p -> {
                    p.setLong(1, dbId);
                    p.setLong(2, findingId);
                    p.setString(3, code);
                    p.setString(4, incident);
                    p.setString(5, channel);
                    p.setString(6, monitor);
                    p.setString(7, kind);
                    p.setString(8, event);
                    p.setString(9, dedupKey);
                    p.setString(10, messageId);
                    p.setLong(11, now);
                    p.setLong(12, now);
                });
        return true;
    }

    /** The latest alert of a code on a channel in a database: the state of its newest incident there. */
    public Optional<Rows.Alert> latestAlert(long dbId, String code, String channel) {
        return query("SELECT " + ALERT_COLUMNS + " FROM alert WHERE db_id = ? AND code = ? AND channel = ? ORDER BY id DESC"
                + " LIMIT 1", p -> {
                    p.setLong(1, dbId);
                    p.setString(2, code);
                    p.setString(3, channel);
                }, StoreSession::alertRow).stream().findFirst();
    }

    /** The channels that were ever alerted about a code in a database (so a resolution reaches each, routed or not). */
    public List<String> alertedChannels(long dbId, String code) {
        return query("SELECT DISTINCT channel FROM alert WHERE db_id = ? AND code = ? ORDER BY channel", p -> {
            p.setLong(1, dbId);
            p.setString(2, code);
        }, rs -> rs.getString(1));
    }

    /** The alerts of one incident on one channel, oldest first. */
    public List<Rows.Alert> incidentAlerts(long dbId, String code, String incident, String channel) {
        return query("SELECT " + ALERT_COLUMNS + " FROM alert WHERE db_id = ? AND code = ? AND channel = ? AND incident = ?"
                + " ORDER BY id", p -> {
                    p.setLong(1, dbId);
                    p.setString(2, code);
                    p.setString(3, channel);
                    p.setString(4, incident);
                }, StoreSession::alertRow);
    }

    /** Alerts of a channel due for an attempt at {@code now}, oldest first. */
    public List<Rows.Alert> dueAlerts(String channel, long now, int limit) {
        return query("SELECT " + ALERT_COLUMNS + " FROM alert WHERE channel = ? AND delivered_at IS NULL AND failed_at IS NULL"
                + " AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT " + limit, p -> {
                    p.setString(1, channel);
                    p.setLong(2, now);
                }, StoreSession::alertRow);
    }

    public List<Rows.Alert> alerts(long dbId) {
        return query("SELECT " + ALERT_COLUMNS + " FROM alert WHERE db_id = ? ORDER BY id", p -> p.setLong(1, dbId),
                StoreSession::alertRow);
    }

    /** Records that an attempt starts (committed before the channel is asked, so a crash leaves a trace). */
    public void startAlertAttempt(long alertId, int attempt, long now) {
        update("UPDATE alert SET attempts = ? WHERE id = ?", p -> {
            p.setInt(1, attempt);
            p.setLong(2, alertId);
        });
        update("INSERT INTO alert_attempt (alert_id, attempt, started_at, outcome) VALUES (?, ?, ?, 'started')", p -> {
            p.setLong(1, alertId);
            p.setInt(2, attempt);
            p.setLong(3, now);
        });
    }

    /** The channel accepted the alert. */
    public void alertDelivered(long alertId, int attempt, String detail, long now) {
        finishAttempt(alertId, attempt, "delivered", detail, now);
        update("UPDATE alert SET delivered_at = ?, last_error = NULL WHERE id = ?", p -> {
            p.setLong(1, now);
            p.setLong(2, alertId);
        });
    }

    /** The attempt failed: try again at {@code retryAt}, or give up (empty). */
    public void alertFailed(long alertId, int attempt, String error, OptionalLong retryAt, long now) {
        finishAttempt(alertId, attempt, "failed", error, now);
        update("UPDATE alert SET last_error = ?, next_attempt_at = ?, failed_at = ? WHERE id = ?", p -> {
            p.setString(1, storableText(error));
            p.setLong(2, retryAt.orElse(now));
            if (retryAt.isPresent()) {
                p.setNull(3, Types.BIGINT);
            } else {
                p.setLong(3, now);
            }
            p.setLong(4, alertId);
        });
    }

    private void finishAttempt(long alertId, int attempt, String outcome, String detail, long now) {
        update("UPDATE alert_attempt SET outcome = ?, detail = ?, finished_at = ? WHERE alert_id = ? AND attempt = ?", p -> {
            p.setString(1, outcome);
            p.setString(2, detail == null ? null : storableText(detail));
            p.setLong(3, now);
            p.setLong(4, alertId);
            p.setInt(5, attempt);
        });
    }

    /** The attempts of an alert, in order: attempt number, outcome (started, delivered, failed) and detail. */
    public List<String> alertAttempts(long alertId) {
        return query("SELECT attempt, outcome, detail FROM alert_attempt WHERE alert_id = ? ORDER BY attempt",
                p -> p.setLong(1, alertId), rs -> rs.getInt(1) + " " + rs.getString(2) + (rs.getString(3) == null ? ""
                        : " " + rs.getString(3)));
    }

    private static Rows.Alert alertRow(ResultSet rs) throws SQLException {
        return new Rows.Alert(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getString(4), rs.getString(5), rs.getString(6),
                rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10), rs.getString(11), rs.getLong(12),
                rs.getLong(13), rs.getInt(14), optionalLong(rs, 15), optionalLong(rs, 16), Optional.ofNullable(rs.getString(17)));
    }

    // ---- digests ----

    /** Whether any digest was recorded for {@code channel}, and for this period. */
    public boolean anyDigest(String channel) {
        return !query("SELECT period_start FROM alert_digest WHERE channel = ? LIMIT 1", p -> p.setString(1, channel),
                rs -> rs.getLong(1)).isEmpty();
    }

    public boolean digestRecorded(String channel, long periodStart) {
        return !query("SELECT outcome FROM alert_digest WHERE channel = ? AND period_start = ?", p -> {
            p.setString(1, channel);
            p.setLong(2, periodStart);
        }, rs -> rs.getString(1)).isEmpty();
    }

    public void recordDigest(String channel, long periodStart, String outcome, String messageId, long now) {
        update("INSERT INTO alert_digest (channel, period_start, recorded_at, outcome, message_id) VALUES (?, ?, ?, ?, ?)", p -> {
            p.setString(1, channel);
            p.setLong(2, periodStart);
            p.setLong(3, now);
            p.setString(4, outcome);
            p.setString(5, messageId);
        });
    }

    // ---- JDBC plumbing ----

    @FunctionalInterface
    private interface Binder {
        void bind(PreparedStatement p) throws SQLException;
    }

    @FunctionalInterface
    private interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private PreparedStatement prepare(String sql) throws SQLException {
        PreparedStatement p = statements.get(sql);
        if (p == null) {
            p = connection.prepareStatement(sql);
            statements.put(sql, p);
        }
        return p;
    }

    private PreparedStatement prepareReturningKeys(String sql) throws SQLException {
        PreparedStatement p = statements.get(sql);
        if (p == null) {
            p = connection.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS);
            statements.put(sql, p);
        }
        return p;
    }

    private <T> List<T> query(String sql, Binder binder, RowMapper<T> mapper) {
        try {
            PreparedStatement p = prepare(sql);
            binder.bind(p);
            List<T> out = new ArrayList<>();
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.add(mapper.map(rs));
                }
            }
            return out;
        } catch (SQLException e) {
            throw failure(sql, e);
        }
    }

    private int update(String sql, Binder binder) {
        try {
            flushBatches();
            PreparedStatement p = prepare(sql);
            binder.bind(p);
            return p.executeUpdate();
        } catch (SQLException e) {
            throw failure(sql, e);
        }
    }

    private long insertReturningId(String sql, Binder binder) {
        try {
            flushBatches();
            PreparedStatement p = prepareReturningKeys(sql);
            binder.bind(p);
            p.executeUpdate();
            try (ResultSet keys = p.getGeneratedKeys()) {
                if (!keys.next()) {
                    throw new SQLException("no generated key");
                }
                return keys.getLong(1);
            }
        } catch (SQLException e) {
            throw failure(sql, e);
        }
    }

    private record TileKey(long dbId, String log, int level, long index) {
    }

    private record StateKey(long dbId, String path) {
    }

    private static final int MAX_PENDING = 2000;
    private final Map<TileKey, byte[]> pendingTiles = new LinkedHashMap<>();
    private final Map<StateKey, Optional<StateEntry>> pendingState = new LinkedHashMap<>();

    /** Sends batched writes now (reads do this first, so they see them). */
    public void flush() {
        try {
            flushBatches();
        } catch (SQLException e) {
            throw failure("flush", e);
        }
    }

    private void flushBatches() throws SQLException {
        if (!pendingTiles.isEmpty()) {
            PreparedStatement delete = prepare("DELETE FROM mirror_tile WHERE db_id = ? AND log_id = ? AND tile_level = ?"
                    + " AND tile_index = ?");
            PreparedStatement insert = prepare("INSERT INTO mirror_tile (db_id, log_id, tile_level, tile_index, hashes)"
                    + " VALUES (?, ?, ?, ?, ?)");
            for (Map.Entry<TileKey, byte[]> t : pendingTiles.entrySet()) {
                TileKey k = t.getKey();
                delete.setLong(1, k.dbId());
                delete.setString(2, k.log());
                delete.setInt(3, k.level());
                delete.setLong(4, k.index());
                delete.addBatch();
                insert.setLong(1, k.dbId());
                insert.setString(2, k.log());
                insert.setInt(3, k.level());
                insert.setLong(4, k.index());
                insert.setBytes(5, t.getValue());
                insert.addBatch();
            }
            delete.executeBatch();
            insert.executeBatch();
            pendingTiles.clear();
        }
        if (!pendingState.isEmpty()) {
            // One statement per path: MERGE (standard SQL, in H2 and PostgreSQL 15+) descends the key once.
            PreparedStatement delete = prepare("DELETE FROM state_entry WHERE db_id = ? AND path_hash = ?");
            PreparedStatement merge = prepare("MERGE INTO state_entry t USING (VALUES (CAST(? AS BIGINT), CAST(? AS BYTEA),"
                    + " CAST(? AS BYTEA), CAST(? AS BYTEA), CAST(? AS CHARACTER VARYING), CAST(? AS BIGINT)))"
                    + " AS v (db_id, path_hash, sort_key, path_units, value_json, written_at)"
                    + " ON t.db_id = v.db_id AND t.path_hash = v.path_hash"
                    + " WHEN MATCHED THEN UPDATE SET value_json = v.value_json, written_at = v.written_at"
                    + " WHEN NOT MATCHED THEN INSERT (db_id, path_hash, sort_key, path_units, value_json, written_at)"
                    + " VALUES (v.db_id, v.path_hash, v.sort_key, v.path_units, v.value_json, v.written_at)");
            boolean deletes = false;
            boolean merges = false;
            for (Map.Entry<StateKey, Optional<StateEntry>> e : pendingState.entrySet()) {
                byte[] hash = pathHash(e.getKey().path());
                if (e.getValue().isEmpty()) {
                    delete.setLong(1, e.getKey().dbId());
                    delete.setBytes(2, hash);
                    delete.addBatch();
                    deletes = true;
                } else {
                    merge.setLong(1, e.getKey().dbId());
                    merge.setBytes(2, hash);
                    merge.setBytes(3, sortKey(e.getKey().path()));
                    merge.setBytes(4, CodeUnits.encode(e.getKey().path()));
                    merge.setString(5, e.getValue().get().valueJson());
                    merge.setLong(6, e.getValue().get().writtenAt());
                    merge.addBatch();
                    merges = true;
                }
            }
            if (deletes) {
                delete.executeBatch();
            }
            if (merges) {
                merge.executeBatch();
            }
            pendingState.clear();
        }
    }

    private static OptionalLong optionalLong(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(v);
    }

    private static void setOptionalLong(PreparedStatement p, int index, OptionalLong value) throws SQLException {
        if (value.isPresent()) {
            p.setLong(index, value.getAsLong());
        } else {
            p.setNull(index, Types.BIGINT);
        }
    }

    private static StoreException failure(String what, SQLException e) {
        return new StoreException("audit store: " + what.split(" WHERE ")[0] + ": " + e.getMessage(), e);
    }

}
