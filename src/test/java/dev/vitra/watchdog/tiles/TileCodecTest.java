package dev.vitra.watchdog.tiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vitra.watchdog.merkle.Hash;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class TileCodecTest {
    @Test
    void indexIsEncodedInThreeDigitGroupsWithXPrefixes() {
        assertThat(TilePaths.formatIndex(0)).isEqualTo("000");
        assertThat(TilePaths.formatIndex(999)).isEqualTo("999");
        assertThat(TilePaths.formatIndex(1000)).isEqualTo("x001/000");
        assertThat(TilePaths.formatIndex(1_234_067)).isEqualTo("x001/x234/067");
        assertThat(new HashTileId(1, 1_234_067, 17).path()).isEqualTo("tile/1/x001/x234/067.p/17");
        assertThat(new EntryBundleId(5, 256).path()).isEqualTo("tile/entries/005");
    }

    @Test
    void pathsParseBackToTheirResources() {
        assertThat(TilePaths.parse("tile/1/x001/x234/067.p/17")).isEqualTo(new HashTileId(1, 1_234_067, 17));
        assertThat(TilePaths.parse("tile/entries/005")).isEqualTo(new EntryBundleId(5, 256));
        assertThat(TilePaths.parse("tile/0/000.p/1")).isEqualTo(new HashTileId(0, 0, 1));
    }

    @Test
    void nonCanonicalPathsAreRejected() {
        for (String bad : List.of("tile/00/000", "tile/1/1", "tile/1/0001", "tile/1/x000/001", "tile/1/000.p/0",
                "tile/1/000.p/256", "tile/1/000.p/012", "tile/64/000", "tile/entries/001/", "tile/-1/000", "tile/1/x1/000")) {
            assertThatThrownBy(() -> TilePaths.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void layoutMatchesTheSpecExampleOfSize70000() {
        List<HashTileId> partials = TileLayout.partialTiles(70_000);
        assertThat(partials).containsExactly(new HashTileId(0, 273, 112), new HashTileId(1, 1, 17), new HashTileId(2, 0, 1));
        List<HashTileId> all = TileLayout.allTiles(70_000);
        assertThat(all.stream().filter(t -> t.level() == 0 && !t.isPartial()).count()).isEqualTo(273);
        assertThat(all.stream().filter(t -> t.level() == 1 && !t.isPartial()).count()).isEqualTo(1);
        assertThat(TileLayout.partialTiles(256)).containsExactly(new HashTileId(1, 0, 1));
        assertThat(TileLayout.partialTiles(0)).isEmpty();
    }

    @Test
    void bundlesCoverExactlyTheRequestedRange() {
        assertThat(TileLayout.bundles(0, 0, 10)).isEmpty();
        assertThat(TileLayout.bundles(0, 10, 10)).containsExactly(new EntryBundleId(0, 10));
        assertThat(TileLayout.bundles(250, 600, 600)).containsExactly(new EntryBundleId(0, 256), new EntryBundleId(1, 256), new EntryBundleId(2, 88));
        assertThatThrownBy(() -> TileLayout.bundles(0, 11, 10)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void hashTileOfTheWrongLengthIsRejected() {
        HashTileId id = new HashTileId(0, 0, 2);
        assertThatThrownBy(() -> HashTiles.parse(id, new byte[63])).isInstanceOf(TileFormatException.class)
                .hasMessageContaining("63 bytes, expected 64");
        assertThatThrownBy(() -> HashTiles.parse(id, new byte[96])).hasMessageContaining("96 bytes");
    }

    @Test
    void hashTileRoundTrips() throws Exception {
        List<Hash> hashes = List.of(new Hash(new byte[32]), new Hash(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32}));
        assertThat(HashTiles.parse(new HashTileId(3, 9, 2), HashTiles.format(hashes))).isEqualTo(hashes);
    }

    @Test
    void bundleWithTruncatedLengthPrefixIsRejected() {
        byte[] data = EntryBundles.format(List.of("one".getBytes(StandardCharsets.UTF_8)));
        byte[] truncated = new byte[data.length + 1];
        System.arraycopy(data, 0, truncated, 0, data.length);
        assertThatThrownBy(() -> EntryBundles.parse(new EntryBundleId(0, 2), truncated)).isInstanceOf(TileFormatException.class)
                .hasMessageContaining("inside the length prefix of entry 1");
    }

    @Test
    void bundleWithTruncatedEntryIsRejected() {
        byte[] data = EntryBundles.format(List.of("three".getBytes(StandardCharsets.UTF_8)));
        byte[] cut = java.util.Arrays.copyOf(data, data.length - 2);
        assertThatThrownBy(() -> EntryBundles.parse(new EntryBundleId(0, 1), cut))
                .hasMessageContaining("claims 5 bytes but only 3 remain");
    }

    @Test
    void bundleWithTrailingBytesIsRejected() {
        byte[] data = EntryBundles.format(List.of("one".getBytes(StandardCharsets.UTF_8), "two".getBytes(StandardCharsets.UTF_8)));
        assertThatThrownBy(() -> EntryBundles.parse(new EntryBundleId(0, 1), data))
                .hasMessageContaining("5 trailing bytes after its 1 entries");
    }

    @Test
    void bundleWithTooFewEntriesIsRejected() {
        byte[] data = EntryBundles.format(List.of("one".getBytes(StandardCharsets.UTF_8)));
        assertThatThrownBy(() -> EntryBundles.parse(new EntryBundleId(0, 3), data))
                .hasMessageContaining("has 1 entries, expected 3");
        assertThatThrownBy(() -> EntryBundles.parse(new EntryBundleId(0, 1), new byte[0]))
                .hasMessageContaining("has 0 entries, expected 1");
    }

    @Test
    void entriesLongerThan65535BytesCannotBeEncoded() {
        assertThatThrownBy(() -> EntryBundles.format(List.of(new byte[65_536]))).hasMessageContaining("65536");
        assertThat(EntryBundles.format(List.of(new byte[65_535]))).hasSize(65_537);
    }
}
