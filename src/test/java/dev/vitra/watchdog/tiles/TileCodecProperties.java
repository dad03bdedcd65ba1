package dev.vitra.watchdog.tiles;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

class TileCodecProperties {
    @Property(tries = 500)
    void hashTilePathsRoundTrip(@ForAll @IntRange(min = 0, max = 63) int level, @ForAll @LongRange(min = 0) long index,
            @ForAll @IntRange(min = 1, max = 256) int width) {
        HashTileId id = new HashTileId(level, index, width);
        assertThat(TilePaths.parse(id.path())).isEqualTo(id);
    }

    @Property(tries = 500)
    void bundlePathsRoundTrip(@ForAll @LongRange(min = 0) long index, @ForAll @IntRange(min = 1, max = 256) int width) {
        EntryBundleId id = new EntryBundleId(index, width);
        assertThat(TilePaths.parse(id.path())).isEqualTo(id);
    }

    @Property(tries = 300)
    void bundlesRoundTrip(@ForAll @Size(min = 1, max = 256) List<@Size(max = 300) byte[]> entries) throws Exception {
        byte[] data = EntryBundles.format(entries);
        List<byte[]> parsed = EntryBundles.parse(new EntryBundleId(0, entries.size()), data);
        assertThat(parsed).usingElementComparator(java.util.Arrays::compare).containsExactlyElementsOf(entries);
    }

    @Property(tries = 300)
    void anyTruncationOfABundleIsRejected(@ForAll @Size(min = 1, max = 20) List<@Size(max = 40) byte[]> entries,
            @ForAll @IntRange(min = 1, max = 10_000) int cut) {
        byte[] data = EntryBundles.format(entries);
        int keep = data.length - 1 - (cut % data.length);
        byte[] truncated = java.util.Arrays.copyOf(data, keep);
        boolean rejected;
        try {
            EntryBundles.parse(new EntryBundleId(0, entries.size()), truncated);
            rejected = false;
        } catch (TileFormatException e) {
            rejected = true;
        }
        // Dropping whole trailing empty entries leaves fewer entries than the width: still rejected.
        assertThat(rejected).isTrue();
    }

    @Property(tries = 300)
    void widthsOfTheTilesOfATreeCountEveryHash(@ForAll @LongRange(min = 0, max = 50_000_000) long size) {
        for (int level = 0; TileLayout.hashesAtLevel(level, size) > 0; level++) {
            final int l = level;
            long sum = TileLayout.allTiles(size).stream().filter(t -> t.level() == l).mapToLong(TileResource::width).sum();
            assertThat(sum).isEqualTo(size >> (8 * level));
        }
    }
}
