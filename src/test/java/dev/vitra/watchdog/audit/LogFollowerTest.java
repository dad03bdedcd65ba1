package dev.vitra.watchdog.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vitra.watchdog.executor.StaticLogServer;
import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.note.SignedCheckpoint;
import dev.vitra.watchdog.note.SignerKey;
import dev.vitra.watchdog.store.AuditStore;
import dev.vitra.watchdog.store.Rows;
import dev.vitra.watchdog.store.StoreSession;
import dev.vitra.watchdog.testing.TestLogs;
import dev.vitra.watchdog.tileclient.TileClient;
import dev.vitra.watchdog.tilewriter.LogDirectory;
import dev.vitra.watchdog.tilewriter.TileWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One log's checkpoints over loopback HTTP, as the follower sees them: growth is verified into the mirror, forks are
 * forks from every older size (also when it is a power of two), rollbacks are judged from the watchdog's own copy
 * (stale when consistent, a fork when not), and bad tiles are availability, never a fork.
 */
class LogFollowerTest {
    @TempDir
    Path dir;
    private StaticLogServer server;
    private AuditStore store;
    private StoreSession session;
    private LogFollower follower;

    @BeforeEach
    void start() throws Exception {
        server = StaticLogServer.start(dir.resolve("served"), new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        store = AuditStore.openH2(dir.resolve("store.mv.db"));
        session = store.session();
        follower = new LogFollower(session, Clock.systemUTC(), AuditSettings.DEFAULT_MAX_GROWTH, line -> { });
    }

    @AfterEach
    void stop() {
        session.close();
        store.close();
        server.close();
    }

    private static SignerKey keyFor(long n) {
        byte[] seed = ByteBuffer.allocate(32).putLong(24, n + 1_000).array();
        return dev.vitra.watchdog.note.LogId.signerFor(seed);
    }

    private Path logDir(LogId id) {
        return dir.resolve("served").resolve("logs").resolve(id.hex());
    }

    /** Serves a log of {@code size} entries, entry {@code forkAt} (if ≥ 0) replaced, instead of whatever was served. */
    private SignedCheckpoint serve(SignerKey key, long size, long forkAt) throws Exception {
        LogId id = TestLogs.id(key);
        Path target = logDir(id);
        if (Files.exists(target)) {
            try (var files = Files.walk(target)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        TileWriter writer = TileWriter.open(new LogDirectory(target), key, id.origin());
        for (long i = 0; i < size; i++) {
            writer.append(TestLogs.entry(i == forkAt ? "forked" : "e", i));
        }
        return writer.publish();
    }

    private Rows.Log row(LogId id) {
        Rows.Database db = session.database(id).orElseGet(() -> {
            Rows.Database created = session.createDatabase(id, server.baseUrl(), 0);
            session.saveLog(Rows.Log.fresh(created.id(), id, Rows.LogRole.OPLOG, OptionalLong.empty()));
            session.commit();
            return created;
        });
        return session.log(db.id(), id).orElseThrow();
    }

    private LogFollower.Outcome sync(LogId id) throws Exception {
        try (TileClient client = new TileClient(server.baseUrl() + "/logs/" + id.hex(), AuditFixture.fastSettings().http())) {
            return follower.sync(row(id), client);
        }
    }

    @Test
    void aForkFromEveryOlderSizeAcrossTheFirstTwoTileBoundariesIsAFork() throws Exception {
        Random random = new Random(1);
        // Every size up to 300 (the first tile boundary, every power of two below it) and every size around the second.
        int[] sizes = java.util.stream.IntStream.concat(java.util.stream.IntStream.rangeClosed(1, 300),
                java.util.stream.IntStream.rangeClosed(500, 530)).toArray();
        for (int m : sizes) {
            SignerKey key = keyFor(m);
            LogId id = TestLogs.id(key);
            serve(key, m, -1);
            assertThat(sync(id)).as("m=%d", m).isInstanceOf(LogFollower.Outcome.Verified.class);
            int n = m + random.nextInt(300);
            serve(key, n, random.nextInt(m));
            LogFollower.Outcome outcome = sync(id);
            assertThat(outcome).as("m=%d n=%d", m, n).isInstanceOf(LogFollower.Outcome.Forked.class);
            var fork = ((LogFollower.Outcome.Forked) outcome).fork();
            assertThat(fork.smaller().size()).isEqualTo(m);
            assertThat(fork.larger().size()).isEqualTo(n);
            // The stored checkpoint stays the verified one.
            assertThat(row(id).verifiedSize()).isEqualTo(m);
        }
    }

    @Test
    void growthAcrossTileBoundariesIsVerifiedIntoTheMirror() throws Exception {
        SignerKey key = keyFor(-1);
        LogId id = TestLogs.id(key);
        long previous = 0;
        for (long size : new long[] {0, 1, 255, 256, 257, 511, 512, 70_000, 70_001, 131_072}) {
            serve(key, size, -1);
            LogFollower.Outcome outcome = sync(id);
            assertThat(outcome).as("size %d", size).isInstanceOf(LogFollower.Outcome.Verified.class);
            assertThat(((LogFollower.Outcome.Verified) outcome).previousSize()).isEqualTo(previous);
            assertThat(row(id).verifiedSize()).isEqualTo(size);
            previous = size;
        }
        // The mirror alone reproduces the signed root, with the server gone.
        Rows.Log log = row(id);
        var tree = new Mirror(session, log.dbId(), id).tree(131_072);
        assertThat(new dev.vitra.watchdog.merkle.ProofBuilder(tree, 131_072).root())
                .isEqualTo(follower.verified(log).orElseThrow().checkpoint().root());
    }

    @Test
    void aRollbackToAConsistentPrefixIsStaleAndToAnotherHistoryIsAFork() throws Exception {
        SignerKey key = keyFor(-2);
        LogId id = TestLogs.id(key);
        serve(key, 700, -1);
        assertThat(sync(id)).isInstanceOf(LogFollower.Outcome.Verified.class);
        // Served a consistent older checkpoint: its tiles of size 700 are gone, our mirror decides.
        serve(key, 300, -1);
        assertThat(sync(id)).isInstanceOf(LogFollower.Outcome.Stale.class);
        for (long m : new long[] {1, 2, 4, 256, 299, 512}) {
            serve(key, m, m - 1);
            assertThat(sync(id)).as("rollback to a forked size %d", m).isInstanceOf(LogFollower.Outcome.Forked.class);
        }
        serve(key, 700, -1);
        assertThat(sync(id)).isInstanceOf(LogFollower.Outcome.Verified.class);
        assertThat(row(id).verifiedSize()).isEqualTo(700);
    }

    @Test
    void equalSizesWithAnotherRootAreAFork() throws Exception {
        SignerKey key = keyFor(-3);
        LogId id = TestLogs.id(key);
        serve(key, 9, -1);
        sync(id);
        serve(key, 9, 8);
        LogFollower.Outcome outcome = sync(id);
        assertThat(outcome).isInstanceOf(LogFollower.Outcome.Forked.class);
        assertThat(((LogFollower.Outcome.Forked) outcome).fork().sameSize()).isTrue();
    }

    @Test
    void corruptOrWithheldTilesAreAvailabilityNeverAFork() throws Exception {
        SignerKey key = keyFor(-4);
        LogId id = TestLogs.id(key);
        serve(key, 300, -1);
        sync(id);
        serve(key, 600, -1);
        Path tile = logDir(id).resolve("tile/0/001");
        byte[] data = Files.readAllBytes(tile);
        data[40] ^= 1;
        Files.write(tile, data);
        LogFollower.Outcome corrupt = sync(id);
        assertThat(corrupt).isInstanceOf(LogFollower.Outcome.Unverifiable.class);
        assertThat(((LogFollower.Outcome.Unverifiable) corrupt).code()).isEqualTo(AvailabilityCode.TilesMismatch);
        Files.delete(tile);
        LogFollower.Outcome withheld = sync(id);
        assertThat(((LogFollower.Outcome.Unverifiable) withheld).code()).isEqualTo(AvailabilityCode.TilesUnavailable);
        assertThat(((LogFollower.Outcome.Unverifiable) withheld).resource()).contains("tile/0/001");
        assertThat(row(id).verifiedSize()).isEqualTo(300);
        serve(key, 600, -1);
        assertThat(sync(id)).isInstanceOf(LogFollower.Outcome.Verified.class);
    }

    @Test
    void theSharedPrefixOfAForkedLogIsFoundFromTheForksOwnTiles() throws Exception {
        SignerKey key = keyFor(-5);
        LogId id = TestLogs.id(key);
        serve(key, 1000, -1);
        sync(id);
        for (long forkAt : new long[] {0, 1, 255, 256, 511, 998, 999}) {
            SignedCheckpoint forked = serve(key, 1200, forkAt);
            LogFollower.Outcome outcome = sync(id);
            var fork = ((LogFollower.Outcome.Forked) outcome).fork();
            try (TileClient client = new TileClient(server.baseUrl() + "/logs/" + id.hex(), AuditFixture.fastSettings().http())) {
                assertThat(follower.sharedPrefix(row(id), fork, forked, client)).as("fork at %d", forkAt).isEqualTo(forkAt);
            }
        }
    }
}
