package dev.vitra.watchdog.tilewriter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vitra.watchdog.merkle.Hash;
import dev.vitra.watchdog.merkle.InMemoryTree;
import dev.vitra.watchdog.merkle.MerkleVerifier;
import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.note.SignedCheckpoint;
import dev.vitra.watchdog.note.SignerKey;
import dev.vitra.watchdog.tiles.EntryBundleId;
import dev.vitra.watchdog.tiles.EntryBundles;
import dev.vitra.watchdog.tiles.HashTileId;
import dev.vitra.watchdog.tiles.HashTiles;
import dev.vitra.watchdog.tiles.TileLayout;
import dev.vitra.watchdog.tiles.TiledTree;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TileWriterTest {
    private final SignerKey signer = LogId.signerFor(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
            17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32});
    private final LogId id = new LogId(signer.publicKey());

    private static byte[] entry(long i) {
        return ("entry " + i).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void newLogPublishesASignedEmptyCheckpoint(@TempDir Path tmp) throws Exception {
        LogDirectory dir = new LogDirectory(tmp);
        TileWriter.open(dir, signer, id.origin());
        SignedCheckpoint cp = SignedCheckpoint.open(dir.readCheckpoint(), id.origin(), List.of(id.verifierKey()));
        assertThat(cp.size()).isZero();
        assertThat(cp.checkpoint().root()).isEqualTo(InMemoryTree.ofEntries(List.of()).at(0).root());
    }

    @Test
    void everyTileBundleAndRootMatchesAnIndependentInMemoryTreeAcrossBatchesAndReopens(@TempDir Path tmp) throws Exception {
        LogDirectory dir = new LogDirectory(tmp);
        InMemoryTree expected = new InMemoryTree();
        long[] batchEnds = {1, 255, 256, 257, 700, 65_535, 65_536, 66_000};
        for (long end : batchEnds) {
            TileWriter writer = TileWriter.open(dir, signer, id.origin());
            for (long i = writer.size(); i < end; i++) {
                writer.append(entry(i));
                expected.appendEntry(entry(i));
            }
            SignedCheckpoint cp = writer.publish();
            assertThat(cp.size()).isEqualTo(end);
            assertThat(cp.checkpoint().root()).as("root at %d", end).isEqualTo(expected.at(end).root());

            for (HashTileId tile : TileLayout.partialTiles(end)) {
                List<Hash> hashes = HashTiles.parse(tile, dir.read(tile));
                for (int i = 0; i < tile.width(); i++) {
                    long index = tile.index() * 256 + i;
                    assertThat(hashes.get(i)).isEqualTo(expected.perfectNode(8 * tile.level(), index));
                }
            }
            assertThat(new TiledTree(dir, end).proofs().root()).isEqualTo(cp.checkpoint().root());
        }
        for (EntryBundleId bundle : TileLayout.bundles(0, 66_000, 66_000)) {
            List<byte[]> entries = EntryBundles.parse(bundle, dir.read(bundle));
            assertThat(entries.get(0)).isEqualTo(entry(bundle.firstEntry()));
        }
    }

    @Test
    void partialTilesOfCompletedTilesAreRemoved(@TempDir Path tmp) throws Exception {
        LogDirectory dir = new LogDirectory(tmp);
        TileWriter writer = TileWriter.open(dir, signer, id.origin());
        for (int i = 0; i < 100; i++) {
            writer.append(entry(i));
        }
        writer.publish();
        assertThat(dir.exists(new HashTileId(0, 0, 100))).isTrue();
        for (int i = 100; i < 300; i++) {
            writer.append(entry(i));
        }
        writer.publish();
        assertThat(dir.exists(new HashTileId(0, 0, 100))).isFalse();
        assertThat(dir.exists(new HashTileId(0, 0, 256))).isTrue();
        assertThat(dir.exists(new HashTileId(0, 1, 44))).isTrue();
    }

    @Test
    void aCrashAfterAppendingPastATileBoundaryResumesFromTheLastPublishedCheckpoint(@TempDir Path tmp) throws Exception {
        LogDirectory dir = new LogDirectory(tmp);
        TileWriter writer = TileWriter.open(dir, signer, id.origin());
        for (int i = 0; i < 300; i++) {
            writer.append(entry(i));
        }
        SignedCheckpoint published = writer.publish();
        for (int i = 300; i < 700; i++) {
            writer.append(entry(i)); // completes tile 0/001 and bundle 001, never published: a crash follows
        }
        assertThat(dir.exists(new HashTileId(0, 1, 44))).as("partial still needed by the published checkpoint").isTrue();
        TileWriter resumed = TileWriter.open(dir, signer, id.origin());
        assertThat(resumed.size()).isEqualTo(300);
        assertThat(resumed.published()).isEqualTo(published);
        InMemoryTree expected = new InMemoryTree();
        for (int i = 0; i < 300; i++) {
            expected.appendEntry(entry(i));
        }
        for (int i = 300; i < 700; i++) {
            resumed.append(entry(i));
            expected.appendEntry(entry(i));
        }
        assertThat(resumed.publish().checkpoint().root()).isEqualTo(expected.at(700).root());
        assertThat(dir.exists(new HashTileId(0, 1, 44))).as("deleted once a newer checkpoint is out").isFalse();
    }

    @Test
    void reopeningRefusesTilesThatDoNotMatchTheCheckpoint(@TempDir Path tmp) throws Exception {
        LogDirectory dir = new LogDirectory(tmp);
        TileWriter writer = TileWriter.open(dir, signer, id.origin());
        for (int i = 0; i < 300; i++) {
            writer.append(entry(i));
        }
        writer.publish();
        // Resuming reads the tiles of the right edge (here 1/000.p/1 and 0/001.p/44) and the partial bundle.
        Path tile = dir.pathOf(new HashTileId(1, 0, 1));
        byte[] data = Files.readAllBytes(tile);
        data[5] ^= 1;
        Files.write(tile, data);
        assertThatThrownBy(() -> TileWriter.open(dir, signer, id.origin())).hasMessageContaining("hash to");
    }

    @Test
    void reopeningRefusesAPartialBundleThatDoesNotMatchItsLeafHashes(@TempDir Path tmp) throws Exception {
        LogDirectory dir = new LogDirectory(tmp);
        TileWriter writer = TileWriter.open(dir, signer, id.origin());
        for (int i = 0; i < 300; i++) {
            writer.append(entry(i));
        }
        writer.publish();
        Path bundle = dir.pathOf(new EntryBundleId(1, 44));
        byte[] data = Files.readAllBytes(bundle);
        data[data.length - 1] ^= 1;
        Files.write(bundle, data);
        assertThatThrownBy(() -> TileWriter.open(dir, signer, id.origin())).hasMessageContaining("entry 299");
    }

    @Test
    void reopeningWithAnotherKeyIsRefused(@TempDir Path tmp) throws Exception {
        LogDirectory dir = new LogDirectory(tmp);
        TileWriter.open(dir, signer, id.origin());
        SignerKey other = LogId.signerFor(new byte[32]);
        assertThatThrownBy(() -> TileWriter.open(dir, other, new LogId(other.publicKey()).origin()))
                .hasMessageContaining("not this log's");
    }

    @Test
    void oversizedEntriesAreRefusedBeforeAnythingIsWritten(@TempDir Path tmp) throws Exception {
        TileWriter writer = TileWriter.open(new LogDirectory(tmp), signer, id.origin());
        assertThatThrownBy(() -> writer.append(new byte[65_536])).hasMessageContaining("65536");
        assertThat(writer.size()).isZero();
    }

    @Test
    void inclusionProofsFromWrittenTilesVerify(@TempDir Path tmp) throws Exception {
        LogDirectory dir = new LogDirectory(tmp);
        TileWriter writer = TileWriter.open(dir, signer, id.origin());
        for (int i = 0; i < 1000; i++) {
            writer.append(entry(i));
        }
        SignedCheckpoint cp = writer.publish();
        TiledTree tree = new TiledTree(dir, 1000);
        for (int i : new int[] {0, 1, 255, 256, 511, 768, 999}) {
            MerkleVerifier.verifyInclusion(tree.proofs().inclusionProof(i),
                    new dev.vitra.watchdog.merkle.TreeHasher().leafHash(entry(i)), cp.checkpoint().root());
        }
    }
}
