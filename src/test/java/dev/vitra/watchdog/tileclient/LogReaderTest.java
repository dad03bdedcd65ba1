package dev.vitra.watchdog.tileclient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vitra.watchdog.executor.StaticLogServer;
import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.note.SignedCheckpoint;
import dev.vitra.watchdog.note.SignerKey;
import dev.vitra.watchdog.testing.TestLogs;
import dev.vitra.watchdog.tiles.EntryBundleId;
import dev.vitra.watchdog.tiles.HashTileId;
import dev.vitra.watchdog.tilewriter.TileWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogReaderTest {
    private final SignerKey key = TestLogs.key(3);
    private final LogId id = TestLogs.id(key);
    private StaticLogServer server;
    private TileClient client;

    private LogReader serve(Path root) throws Exception {
        server = StaticLogServer.start(root, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        client = new TileClient(server.baseUrl() + "/logs/" + id.hex(), TileClientConfig.defaults()
                .withRetries(2, java.time.Duration.ofMillis(10), java.time.Duration.ofMillis(20), java.time.Duration.ofSeconds(1)));
        return new LogReader(client, id.origin(), List.of(id.verifierKey()));
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private Path logDir(Path root) {
        return root.resolve("logs").resolve(id.hex());
    }

    @Test
    void everyEntryOfAGrowingLogIsProvenAndEachCheckpointIsConsistentWithTheLast(@TempDir Path root) throws Exception {
        TileWriter writer = TestLogs.writer(root, key);
        LogReader reader = serve(root);
        SignedCheckpoint previous = reader.latestCheckpoint();
        for (long size : new long[] {1, 2, 255, 256, 257, 1000, 65_536, 70_000}) {
            TestLogs.grow(writer, "e", size);
            SignedCheckpoint latest = reader.latestCheckpoint();
            reader.proveConsistency(previous, latest);
            List<Long> indices = new ArrayList<>();
            reader.readEntries(latest, previous.size(), latest.size(), (i, e) -> {
                assertThat(e).isEqualTo(TestLogs.entry("e", i));
                indices.add(i);
            });
            assertThat(indices).hasSize((int) (latest.size() - previous.size()));
            previous = latest;
        }
        List<Long> middle = new ArrayList<>();
        reader.readEntries(previous, 300, 310, (i, e) -> middle.add(i));
        assertThat(middle).containsExactly(300L, 301L, 302L, 303L, 304L, 305L, 306L, 307L, 308L, 309L);
    }

    @Test
    void corruptEntryInABundleIsCaughtBeforeAnyOfItsEntriesIsHandedOut(@TempDir Path root) throws Exception {
        TileWriter writer = TestLogs.writer(root, key);
        TestLogs.grow(writer, "e", 600);
        Path bundle = logDir(root).resolve(new EntryBundleId(1, 256).path());
        byte[] data = Files.readAllBytes(bundle);
        data[10] ^= 1;
        Files.write(bundle, data);
        LogReader reader = serve(root);
        SignedCheckpoint cp = reader.latestCheckpoint();
        List<Long> handedOut = new ArrayList<>();
        assertThatThrownBy(() -> reader.readEntries(cp, 0, 600, (i, e) -> handedOut.add(i)))
                .isInstanceOfSatisfying(LogVerificationException.class, e -> {
                    assertThat(e.kind()).isEqualTo(LogVerificationException.Kind.ENTRIES_MISMATCH);
                    assertThat(e.getMessage()).contains("entries 256..511").contains("tile/entries/001");
                    assertThat(e.expected()).contains(cp.checkpoint().root().toString());
                });
        assertThat(handedOut).hasSize(256).allMatch(i -> i < 256);
    }

    @Test
    void corruptHashTileIsCaught(@TempDir Path root) throws Exception {
        TileWriter writer = TestLogs.writer(root, key);
        TestLogs.grow(writer, "e", 70_000);
        Path tile = logDir(root).resolve(new HashTileId(1, 0, 256).path());
        byte[] data = Files.readAllBytes(tile);
        data[100] ^= 1;
        Files.write(tile, data);
        LogReader reader = serve(root);
        SignedCheckpoint cp = reader.latestCheckpoint();
        assertThatThrownBy(() -> reader.readEntries(cp, 0, 70_000, (i, e) -> { }))
                .isInstanceOfSatisfying(LogVerificationException.class,
                        e -> assertThat(e.kind()).isEqualTo(LogVerificationException.Kind.ENTRIES_MISMATCH));
    }

    @Test
    void truncatedBundleIsReportedAsMalformed(@TempDir Path root) throws Exception {
        TileWriter writer = TestLogs.writer(root, key);
        TestLogs.grow(writer, "e", 10);
        Path bundle = logDir(root).resolve(new EntryBundleId(0, 10).path());
        byte[] data = Files.readAllBytes(bundle);
        Files.write(bundle, java.util.Arrays.copyOf(data, data.length - 3));
        LogReader reader = serve(root);
        SignedCheckpoint cp = reader.latestCheckpoint();
        assertThatThrownBy(() -> reader.readEntries(cp, 0, 10, (i, e) -> { }))
                .isInstanceOf(LogVerificationException.class).hasMessageContaining("claims");
    }

    @Test
    void withheldTileIsAnAvailabilityProblemNotAVerdict(@TempDir Path root) throws Exception {
        TileWriter writer = TestLogs.writer(root, key);
        TestLogs.grow(writer, "e", 1000);
        SignedCheckpoint old = writer.published();
        TestLogs.grow(writer, "e", 1500);
        Files.delete(logDir(root).resolve(new HashTileId(0, 5, 220).path()));
        LogReader reader = serve(root);
        SignedCheckpoint latest = reader.latestCheckpoint();
        assertThatThrownBy(() -> reader.proveConsistency(old, latest)).isInstanceOfSatisfying(FetchException.class, e -> {
            assertThat(e.kind()).isEqualTo(FetchException.Kind.NOT_FOUND);
            assertThat(e.url()).endsWith("tile/0/005.p/220");
        });
    }

    @Test
    void anOldCheckpointIsStillReadableAfterTheLogDeletedItsPartialTiles(@TempDir Path root) throws Exception {
        TileWriter writer = TestLogs.writer(root, key);
        TestLogs.grow(writer, "e", 300);
        SignedCheckpoint old = writer.published();
        TestLogs.grow(writer, "e", 800); // tile 0/001 and bundle 001 are full now: their partials are gone
        assertThat(Files.exists(logDir(root).resolve(new HashTileId(0, 1, 44).path()))).isFalse();
        assertThat(Files.exists(logDir(root).resolve(new EntryBundleId(1, 44).path()))).isFalse();
        LogReader reader = serve(root);
        List<Long> seen = new ArrayList<>();
        reader.readEntries(old, 0, 300, (i, e) -> seen.add(i));
        assertThat(seen).hasSize(300);
        SignedCheckpoint middle = TestLogs.writer(root, key).published();
        reader.proveConsistency(old, middle);
    }

    @Test
    void rewrittenHistoryUnderTheSameKeyIsAFork(@TempDir Path root, @TempDir Path forkRoot) throws Exception {
        TileWriter honest = TestLogs.writer(root, key);
        TestLogs.grow(honest, "e", 500);
        SignedCheckpoint before = honest.published();

        TileWriter forked = TestLogs.writer(forkRoot, key);
        TestLogs.grow(forked, "e", 100);
        TestLogs.grow(forked, "rewritten", 900);
        LogReader reader = serve(forkRoot);
        SignedCheckpoint after = reader.latestCheckpoint();
        assertThatThrownBy(() -> reader.proveConsistency(before, after))
                .isInstanceOfSatisfying(LogVerificationException.class, e -> {
                    assertThat(e.kind()).isEqualTo(LogVerificationException.Kind.FORK);
                    assertThat(e.getMessage()).contains("size 500 and 900");
                    assertThat(e.expected()).contains(before.checkpoint().root().toString());
                });
    }

    @Test
    void sameSizeWithDifferentRootsIsAFork(@TempDir Path root, @TempDir Path forkRoot) throws Exception {
        TileWriter honest = TestLogs.writer(root, key);
        TestLogs.grow(honest, "e", 50);
        TileWriter forked = TestLogs.writer(forkRoot, key);
        TestLogs.grow(forked, "x", 50);
        LogReader reader = serve(forkRoot);
        assertThatThrownBy(() -> reader.proveConsistency(honest.published(), reader.latestCheckpoint()))
                .isInstanceOfSatisfying(LogVerificationException.class,
                        e -> assertThat(e.kind()).isEqualTo(LogVerificationException.Kind.FORK));
    }

    @Test
    void smallerButConsistentCheckpointIsStaleNotAFork(@TempDir Path root) throws Exception {
        TileWriter writer = TestLogs.writer(root, key);
        TestLogs.grow(writer, "e", 300);
        SignedCheckpoint small = writer.published();
        TestLogs.grow(writer, "e", 800);
        SignedCheckpoint big = writer.published();
        Files.write(logDir(root).resolve("checkpoint"), small.raw());
        LogReader reader = serve(root);
        assertThatThrownBy(() -> reader.proveConsistency(big, reader.latestCheckpoint()))
                .isInstanceOfSatisfying(LogVerificationException.class,
                        e -> assertThat(e.kind()).isEqualTo(LogVerificationException.Kind.STALE_CHECKPOINT));
    }

    @Test
    void checkpointSignedByAnotherKeyIsRejected(@TempDir Path root) throws Exception {
        SignerKey other = TestLogs.key(4);
        TileWriter impostor = TileWriter.open(new dev.vitra.watchdog.tilewriter.LogDirectory(logDir(root)), other, id.origin());
        TestLogs.grow(impostor, "e", 5);
        LogReader reader = serve(root);
        assertThatThrownBy(reader::latestCheckpoint).isInstanceOf(dev.vitra.watchdog.note.NoteVerificationException.class)
                .hasMessageContaining("no signature from a trusted key");
    }
}
