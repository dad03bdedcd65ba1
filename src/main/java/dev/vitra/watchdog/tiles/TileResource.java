package dev.vitra.watchdog.tiles;

/**
 * A static resource of a C2SP tlog-tiles log: a hash tile or an entry bundle. {@link #path()} and
 * {@link TilePaths#parse(String)} convert to and from the URL path under the log prefix.
 */
public sealed interface TileResource permits HashTileId, EntryBundleId {
    int FULL_WIDTH = 256;

    long index();

    /** Number of hashes or entries, 1 to 256; 256 is a full tile. */
    int width();

    default boolean isPartial() {
        return width() < FULL_WIDTH;
    }

    String path();

    /** The full-width resource at the same position. */
    TileResource full();
}
