package dev.vitra.watchdog.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vitra.watchdog.merkle.Hash;
import dev.vitra.watchdog.note.Checkpoint;
import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.note.SignedCheckpoint;
import dev.vitra.watchdog.note.SignerKey;
import dev.vitra.watchdog.store.Rows.Database;
import dev.vitra.watchdog.store.Rows.DatabaseStatus;
import dev.vitra.watchdog.store.Rows.Finding;
import dev.vitra.watchdog.store.Rows.Log;
import dev.vitra.watchdog.store.Rows.LogRole;
import dev.vitra.watchdog.store.Rows.StateEntry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * What the audit relies on from its store, run against every backend (H2 file, a real PostgreSQL server): rows
 * round-trip exactly, state paths are any UTF-16 string, prefix reads match a naive filter, nothing is visible before
 * commit, a store belongs to one process at a time, and an older schema migrates with its data.
 */
abstract class StoreSuite {
    /** A store on a new, empty database of this backend. */
    abstract AuditStore openNew();

    /** The same store again (after {@link AuditStore#close()}): what a restart sees. */
    abstract AuditStore reopen();

    /** The backend's database, as a bare data source (no pool, no lock, no migrations). */
    abstract javax.sql.DataSource dataSource();

    /** The store's database migrated by Flyway up to {@code version} only, as a previous release left it. */
    javax.sql.DataSource atSchemaVersion(String version) {
        javax.sql.DataSource d = dataSource();
        org.flywaydb.core.Flyway.configure().dataSource(d).locations("classpath:db/migration").target(version).load().migrate();
        return d;
    }

    static final LogId INDEX = logId(1);
    private static final LogId OPLOG = logId(2);

    private static LogId logId(int seed) {
        byte[] s = new byte[32];
        s[0] = (byte) seed;
        return LogId.parse(LogId.signerFor(s).publicKey().toHex());
    }

    private static SignedCheckpoint checkpoint(LogId log, int seed, long size, int rootByte) {
        byte[] s = new byte[32];
        s[0] = (byte) seed;
        SignerKey signer = LogId.signerFor(s);
        byte[] root = new byte[32];
        Arrays.fill(root, (byte) rootByte);
        return SignedCheckpoint.sign(new Checkpoint(log.origin(), size, new Hash(root), List.of()), signer);
    }

    @Test
    void rowsOfEveryKindRoundTripExactlyAndSurviveARestart() {
        long dbId;
        try (AuditStore store = openNew(); StoreSession s = store.session()) {
            Database db = s.createDatabase(INDEX, "http://127.0.0.1:1/ex", 1_000);
            dbId = db.id();
            s.updateDatabase(db.withProgress(42, true).withStatus(DatabaseStatus.BREACHED).withLastPassAt(2_000));
            long cp = s.recordCheckpoint(dbId, INDEX, checkpoint(INDEX, 1, 42, 7), "http://127.0.0.1:1/ex/checkpoint", 1_500);
            assertThat(s.recordCheckpoint(dbId, INDEX, checkpoint(INDEX, 1, 42, 7), "elsewhere", 9_999))
                    .as("one row per distinct note").isEqualTo(cp);
            s.saveLog(Log.fresh(dbId, INDEX, LogRole.INDEX, OptionalLong.empty()).withVerified(cp, 42));
            s.saveLog(Log.fresh(dbId, OPLOG, LogRole.OPLOG, OptionalLong.of(3)).withParticipation(5, true)
                    .withFork(OptionalLong.of(77), OptionalLong.of(cp), OptionalLong.of(4)));
            s.putTile(dbId, INDEX, 0, 0, new byte[] {1, 2, 3});
            s.statePut(dbId, "/a", Optional.of(new StateEntry("/a", "{\"x\":[1,\"\\u0000\"]}", 12)));
            long f = s.insertFinding(dbId, "fraud", "LogFork", Optional.of(OPLOG), OptionalLong.of(3), OptionalLong.empty(),
                    OptionalLong.of(9), "LogFork:" + OPLOG.hex(), "two versions", "{\"k\":\"v\"}", 1_700);
            s.attachProof(f, "ab".repeat(32), new byte[] {0, (byte) 0xff, 10});
            s.commit();
        }
        try (AuditStore store = reopen(); StoreSession s = store.session()) {
            Database db = s.database(INDEX).orElseThrow();
            assertThat(db).isEqualTo(new Database(dbId, INDEX, "http://127.0.0.1:1/ex", DatabaseStatus.BREACHED, 42, true, 1_000,
                    OptionalLong.of(2_000)));
            assertThat(s.databases()).containsExactly(db);
            List<Log> logs = s.logs(dbId);
            assertThat(logs).extracting(Log::role).containsExactly(LogRole.INDEX, LogRole.OPLOG);
            assertThat(logs.get(1)).isEqualTo(new Log(dbId, OPLOG, LogRole.OPLOG, OptionalLong.empty(), 0, 5, true,
                    OptionalLong.of(3), OptionalLong.of(77), logs.get(0).verifiedCheckpointId(), OptionalLong.of(4)));
            Rows.Checkpoint cp = s.checkpoint(logs.get(0).verifiedCheckpointId().getAsLong()).orElseThrow();
            assertThat(cp.note()).isEqualTo(checkpoint(INDEX, 1, 42, 7).raw());
            assertThat(cp.rootHash()).containsOnly(7);
            assertThat(cp.sourceUrl()).isEqualTo("http://127.0.0.1:1/ex/checkpoint");
            assertThat(s.tile(dbId, INDEX, 0, 0)).hasValueSatisfying(t -> assertThat(t).containsExactly(1, 2, 3));
            assertThat(s.stateGet(dbId, "/a")).contains(new StateEntry("/a", "{\"x\":[1,\"\\u0000\"]}", 12));
            Finding f = s.findings(dbId).getFirst();
            assertThat(f.code()).isEqualTo("LogFork");
            assertThat(f.log()).contains(OPLOG);
            assertThat(f.opSeq()).hasValue(9);
            assertThat(f.entryPosition()).isEmpty();
            assertThat(f.factsJson()).isEqualTo("{\"k\":\"v\"}");
            assertThat(s.proof(f.id())).hasValueSatisfying(p -> assertThat(p).containsExactly(0, 0xff, 10));
            assertThat(s.proofById("ab".repeat(32))).isPresent();
        }
    }

    @Test
    void checkpointsAreFoundBySizeAndMarkedChecked() {
        try (AuditStore store = openNew(); StoreSession s = store.session()) {
            long dbId = s.createDatabase(INDEX, "u", 0).id();
            long big = s.recordCheckpoint(dbId, INDEX, checkpoint(INDEX, 1, 10, 1), "u", 300);
            long small = s.recordCheckpoint(dbId, INDEX, checkpoint(INDEX, 1, 4, 2), "u", 200);
            s.recordCheckpoint(dbId, OPLOG, checkpoint(OPLOG, 2, 99, 3), "u", 100);
            assertThat(s.uncheckedCheckpoints(dbId, INDEX, 10)).extracting(Rows.Checkpoint::id).containsExactly(small, big);
            assertThat(s.uncheckedCheckpoints(dbId, INDEX, 9)).extracting(Rows.Checkpoint::id).containsExactly(small);
            s.markChecked(small);
            assertThat(s.uncheckedCheckpoints(dbId, INDEX, 10)).extracting(Rows.Checkpoint::id).containsExactly(big);
            assertThat(s.firstSeenCovering(dbId, INDEX, 3)).hasValue(200);
            assertThat(s.firstSeenCovering(dbId, INDEX, 4)).hasValue(300);
            assertThat(s.firstSeenCovering(dbId, INDEX, 10)).isEmpty();
            assertThat(s.largestCheckpointSize(dbId, INDEX)).isEqualTo(10);
            assertThat(s.largestCheckpointSize(dbId, logId(3))).isZero();
            s.markAllChecked(dbId, INDEX);
            assertThat(s.uncheckedCheckpoints(dbId, INDEX, 10)).isEmpty();
            assertThat(s.uncheckedCheckpoints(dbId, OPLOG, 100)).hasSize(1);
        }
    }

    @Test
    void aTileGrowsInPlaceAndIsReadBeforeAndAfterItIsFlushed() {
        try (AuditStore store = openNew(); StoreSession s = store.session()) {
            long dbId = s.createDatabase(INDEX, "u", 0).id();
            s.putTile(dbId, INDEX, 1, 5, new byte[32]);
            assertThat(s.tile(dbId, INDEX, 1, 5)).hasValueSatisfying(t -> assertThat(t).hasSize(32));
            s.commit();
            s.putTile(dbId, INDEX, 1, 5, new byte[64]);
            s.flush();
            assertThat(s.tile(dbId, INDEX, 1, 5)).hasValueSatisfying(t -> assertThat(t).hasSize(64));
            assertThat(s.tile(dbId, INDEX, 1, 6)).isEmpty();
            // More than one batch of writes before a commit.
            for (int i = 0; i < 4_500; i++) {
                s.putTile(dbId, OPLOG, 0, i, new byte[] {(byte) i});
            }
            s.commit();
            assertThat(s.tile(dbId, OPLOG, 0, 4_499)).hasValueSatisfying(t -> assertThat(t).containsExactly((byte) 4_499));
            s.deleteTiles(dbId, OPLOG);
            assertThat(s.tile(dbId, OPLOG, 0, 0)).isEmpty();
            assertThat(s.tile(dbId, INDEX, 1, 5)).isPresent();
        }
    }

    /** Paths the protocol allows and text columns could lose: NUL, lone surrogates, U+FFFD, pairs, long shared heads. */
    private static final List<String> AWKWARD_PATHS = List.of("/a", "/a\u0000", "/a\u0000b", "/\ud800", "/\ufffd", "/\udc00",
            "/\ud83d\ude00", "/\ud83d", "/\ude00", "/\uffff", "/é", "/a/\ud800/x", "/" + "x".repeat(300) + "\ud800",
            "/" + "x".repeat(300) + "\ufffd", "/" + "x".repeat(255) + "\ud83d\ude00", "/" + "x".repeat(255) + "\ud83d");

    @Test
    void everyUtf16PathIsItsOwnEntryAsTheProtocolComparesThem() {
        try (AuditStore store = openNew()) {
            long dbId;
            try (StoreSession s = store.session()) {
                dbId = s.createDatabase(INDEX, "u", 0).id();
                for (int i = 0; i < AWKWARD_PATHS.size(); i++) {
                    String p = AWKWARD_PATHS.get(i);
                    s.statePut(dbId, p, Optional.of(new StateEntry(p, Integer.toString(i), i)));
                }
                s.commit();
            }
            try (StoreSession s = store.session()) {
                for (int i = 0; i < AWKWARD_PATHS.size(); i++) {
                    String p = AWKWARD_PATHS.get(i);
                    assertThat(s.stateGet(dbId, p)).as("path %s", escape(p)).contains(new StateEntry(p, Integer.toString(i), i));
                }
                assertThat(s.stateAll(dbId)).extracting(StateEntry::path)
                        .containsExactlyElementsOf(AWKWARD_PATHS.stream().sorted().toList());
                s.statePut(dbId, "/\ud800", Optional.empty());
                s.commit();
                assertThat(s.stateGet(dbId, "/\ud800")).isEmpty();
                assertThat(s.stateGet(dbId, "/\ufffd")).isPresent();
                assertThat(s.stateAll(dbId)).hasSize(AWKWARD_PATHS.size() - 1);
            }
        }
    }

    @Test
    void prefixReadsReturnExactlyThePathsAStringFilterReturns() {
        // Random paths over an alphabet of awkward code units, checked against a naive in-memory filter.
        char[] alphabet = {'/', 'a', 'b', '\u0000', '\ud800', '\udc00', '\ud83d', '\ude00', '\ufffd', '\uffff', 'é', '0'};
        Random random = new Random(20261202);
        TreeMap<String, String> naive = new TreeMap<>();
        try (AuditStore store = openNew(); StoreSession s = store.session()) {
            long dbId = s.createDatabase(INDEX, "u", 0).id();
            for (int i = 0; i < 3_000; i++) {
                StringBuilder p = new StringBuilder("/");
                int len = random.nextInt(random.nextInt(20) == 0 ? 300 : 6) + 1;
                for (int j = 0; j < len; j++) {
                    p.append(alphabet[random.nextInt(alphabet.length)]);
                }
                String path = p.toString();
                naive.put(path, Integer.toString(i));
                s.statePut(dbId, path, Optional.of(new StateEntry(path, Integer.toString(i), i)));
            }
            s.commit();
            List<String> prefixes = new ArrayList<>(List.of("/", "/a", "/\ud800", "/\ufffd", "/\ud83d", "/\uffff", "/a\u0000"));
            for (String path : naive.keySet()) {
                if (random.nextInt(40) == 0) {
                    prefixes.add(path.substring(0, random.nextInt(path.length()) + 1));
                }
            }
            for (String prefix : prefixes) {
                List<String> expected = naive.keySet().stream().filter(x -> x.startsWith(prefix)).toList();
                List<String> found = s.stateWithPrefix(dbId, prefix).stream().map(StateEntry::path).sorted().toList();
                assertThat(found).as("prefix %s", escape(prefix)).containsExactlyElementsOf(expected);
            }
            assertThat(s.stateAll(dbId)).extracting(StateEntry::path).containsExactlyElementsOf(naive.keySet());
        }
    }

    @Test
    void aSummaryKeepsItsTextAndNamesWhatNoTextColumnCanHold() {
        try (AuditStore store = openNew(); StoreSession s = store.session()) {
            long dbId = s.createDatabase(INDEX, "u", 0).id();
            String summary = "change to /a\u0000b and /\ud800 (\ud83d\ude00 é) differs";
            String facts = "{\"path\":\"/a\\u0000b\",\"other\":\"/\\ud800\"}";
            long id = s.insertFinding(dbId, "fraud", "ChangeMismatchError", Optional.empty(), OptionalLong.of(4),
                    OptionalLong.of(5), OptionalLong.empty(), "ChangeMismatchError:4", summary, facts, 10);
            s.commit();
            Finding f = s.finding(id).orElseThrow();
            assertThat(f.summary()).isEqualTo("change to /a\\u0000b and /\\ud800 (\ud83d\ude00 é) differs");
            assertThat(f.factsJson()).isEqualTo(facts);
            assertThat(s.openFinding(dbId, "ChangeMismatchError:4")).map(Finding::id).contains(id);
        }
    }

    @Test
    void aFindingIsOpenUntilResolvedAndTouchedWhileItLasts() {
        try (AuditStore store = openNew(); StoreSession s = store.session()) {
            long dbId = s.createDatabase(INDEX, "u", 0).id();
            long id = s.insertFinding(dbId, "availability", "ExecutorUnreachable", Optional.empty(), OptionalLong.empty(),
                    OptionalLong.empty(), OptionalLong.empty(), "k", "down", "{}", 100);
            s.touchFinding(id, 150);
            assertThat(s.openFindings(dbId)).singleElement().satisfies(f -> {
                assertThat(f.firstSeenAt()).isEqualTo(100);
                assertThat(f.lastSeenAt()).isEqualTo(150);
            });
            s.resolveFinding(id, 200);
            s.resolveFinding(id, 300); // resolving twice keeps the first time
            assertThat(s.openFindings(dbId)).isEmpty();
            assertThat(s.openFinding(dbId, "k")).isEmpty();
            assertThat(s.finding(id).orElseThrow().resolvedAt()).hasValue(200);
            long again = s.insertFinding(dbId, "availability", "ExecutorUnreachable", Optional.empty(), OptionalLong.empty(),
                    OptionalLong.empty(), OptionalLong.empty(), "k", "down again", "{}", 400);
            assertThat(s.openFinding(dbId, "k")).map(Finding::id).contains(again);
            assertThat(s.findings(dbId)).extracting(Finding::id).containsExactly(id, again);
        }
    }

    @Test
    void nothingIsVisibleToAnotherSessionBeforeCommitAndARollbackDropsIt() {
        try (AuditStore store = openNew(); StoreSession writer = store.session(); StoreSession reader = store.session()) {
            long dbId = writer.createDatabase(INDEX, "u", 0).id();
            writer.commit();
            writer.statePut(dbId, "/k", Optional.of(new StateEntry("/k", "1", 1)));
            writer.putTile(dbId, INDEX, 0, 0, new byte[] {9});
            writer.flush();
            assertThat(writer.stateGet(dbId, "/k")).isPresent();
            assertThat(reader.stateGet(dbId, "/k")).isEmpty();
            assertThat(reader.tile(dbId, INDEX, 0, 0)).isEmpty();
            writer.rollback();
            assertThat(writer.stateGet(dbId, "/k")).isEmpty();
            writer.statePut(dbId, "/k", Optional.of(new StateEntry("/k", "2", 2)));
            writer.commit();
            reader.rollback(); // a new transaction, so the reader sees what committed since
            assertThat(reader.stateGet(dbId, "/k")).contains(new StateEntry("/k", "2", 2));
        }
    }

    @Test
    void aStoreMigratedByANewerWatchdogIsRefusedNamingBothSchemaVersions() throws Exception {
        openNew().close();
        // What an upgrade to a later release leaves: one more applied migration than this build knows.
        javax.sql.DataSource migrated = dataSource();
        try (java.sql.Connection c = migrated.getConnection(); java.sql.Statement st = c.createStatement()) {
            c.setAutoCommit(true);
            st.execute("INSERT INTO \"flyway_schema_history\" (\"installed_rank\", \"version\", \"description\", \"type\","
                    + " \"script\", \"checksum\", \"installed_by\", \"execution_time\", \"success\")"
                    + " VALUES (99, '99', 'from a newer watchdog', 'SQL', 'V99__newer.sql', 0, 'test', 1, TRUE)");
        }
        assertThatThrownBy(this::reopen).isInstanceOf(StoreException.class)
                .hasMessageContaining("migrated by a newer watchdog (V99)")
                .hasMessageContaining("knows the schema up to V4")
                .satisfies(e -> assertThat(((StoreException) e).localInput()).isTrue());
    }

    @Test
    void anOlderSchemaMigratesWithItsData() throws Exception {
        // A store written by the previous release (schema version 2): state paths as text, hashed with a charset
        // that replaced lone surrogates.
        javax.sql.DataSource old = atSchemaVersion("2");
        try (java.sql.Connection c = old.getConnection()) {
            c.setAutoCommit(true);
            try (java.sql.Statement st = c.createStatement()) {
                st.execute("INSERT INTO audited_database (index_log, executor_url, status, next_position, genesis_sealed,"
                        + " created_at) VALUES ('" + INDEX.hex() + "', 'u', 'AUDITING', 7, TRUE, 1)");
            }
            long dbId;
            try (java.sql.Statement st = c.createStatement(); java.sql.ResultSet rs = st.executeQuery("SELECT id FROM audited_database")) {
                rs.next();
                dbId = rs.getLong(1);
            }
            try (java.sql.PreparedStatement p = c.prepareStatement("INSERT INTO state_entry (db_id, path_hash, sort_key, path,"
                    + " value_json, written_at) VALUES (?, ?, ?, ?, ?, ?)")) {
                for (String path : List.of("/a", "/b/c", "/é\ud83d\ude00")) {
                    byte[] utf16 = path.getBytes(java.nio.charset.StandardCharsets.UTF_16BE);
                    p.setLong(1, dbId);
                    p.setBytes(2, new dev.vitra.watchdog.merkle.TreeHasher().sha256(utf16).bytes());
                    p.setBytes(3, utf16);
                    p.setString(4, path);
                    p.setString(5, "\"" + path.length() + "\"");
                    p.setLong(6, 3);
                    p.executeUpdate();
                }
            }
        }
        if (old instanceof AutoCloseable closeable) {
            closeable.close();
        }
        try (AuditStore store = reopen(); StoreSession s = store.session()) {
            long dbId = s.database(INDEX).orElseThrow().id();
            assertThat(s.stateAll(dbId)).extracting(StateEntry::path).containsExactly("/a", "/b/c", "/é\ud83d\ude00");
            assertThat(s.stateGet(dbId, "/é\ud83d\ude00")).contains(new StateEntry("/é\ud83d\ude00", "\"4\"", 3));
            assertThat(s.stateWithPrefix(dbId, "/b/")).extracting(StateEntry::path).containsExactly("/b/c");
            s.statePut(dbId, "/a", Optional.of(new StateEntry("/a", "true", 8)));
            s.commit();
            assertThat(s.stateAll(dbId)).hasSize(3).first().isEqualTo(new StateEntry("/a", "true", 8));
        }
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            sb.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c));
        }
        return sb.toString();
    }
}
