package dev.vitra.watchdog.tiles;

import java.util.ArrayList;
import java.util.List;

/** Which tiles and bundles a tree of a given size consists of, and their widths. Pure arithmetic. */
public final class TileLayout {
    private TileLayout() {
    }

    /** Number of hashes stored at tile level {@code level} for a tree of {@code treeSize} leaves. */
    public static long hashesAtLevel(int level, long treeSize) {
        int shift = 8 * level;
        return shift >= 64 ? 0 : treeSize >>> shift;
    }

    /** The hash tile at {@code level}/{@code index} as it exists in a tree of {@code treeSize}. */
    public static HashTileId hashTile(int level, long index, long treeSize) {
        long count = hashesAtLevel(level, treeSize);
        long start = index * TileResource.FULL_WIDTH;
        if (index < 0 || start >= count) {
            throw new IllegalArgumentException("tile " + level + "/" + index + " does not exist in a tree of size " + treeSize);
        }
        return new HashTileId(level, index, (int) Math.min(TileResource.FULL_WIDTH, count - start));
    }

    /** The entry bundle {@code index} as it exists in a tree of {@code treeSize}. */
    public static EntryBundleId bundle(long index, long treeSize) {
        long start = index * TileResource.FULL_WIDTH;
        if (index < 0 || start >= treeSize) {
            throw new IllegalArgumentException("bundle " + index + " does not exist in a tree of size " + treeSize);
        }
        return new EntryBundleId(index, (int) Math.min(TileResource.FULL_WIDTH, treeSize - start));
    }

    /** Bundles holding entries {@code [start, end)} of a tree of {@code treeSize}, in order. */
    public static List<EntryBundleId> bundles(long start, long end, long treeSize) {
        if (start < 0 || start > end || end > treeSize) {
            throw new IllegalArgumentException("entries [" + start + ", " + end + ") are not in a tree of size " + treeSize);
        }
        List<EntryBundleId> out = new ArrayList<>();
        if (start == end) {
            return out;
        }
        for (long b = start / TileResource.FULL_WIDTH; b <= (end - 1) / TileResource.FULL_WIDTH; b++) {
            out.add(bundle(b, treeSize));
        }
        return out;
    }

    /** The partial tiles a tree of {@code treeSize} has (one per level whose width is not a multiple of 256). */
    public static List<HashTileId> partialTiles(long treeSize) {
        List<HashTileId> out = new ArrayList<>();
        for (int level = 0; hashesAtLevel(level, treeSize) > 0; level++) {
            long count = hashesAtLevel(level, treeSize);
            int width = (int) (count % TileResource.FULL_WIDTH);
            if (width > 0) {
                out.add(new HashTileId(level, count / TileResource.FULL_WIDTH, width));
            }
        }
        return out;
    }

    /** Every hash tile of a tree of {@code treeSize}, full and partial, level by level. */
    public static List<HashTileId> allTiles(long treeSize) {
        List<HashTileId> out = new ArrayList<>();
        for (int level = 0; hashesAtLevel(level, treeSize) > 0; level++) {
            long count = hashesAtLevel(level, treeSize);
            for (long i = 0; i * TileResource.FULL_WIDTH < count; i++) {
                out.add(hashTile(level, i, treeSize));
            }
        }
        return out;
    }
}
