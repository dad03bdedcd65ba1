package dev.vitra.watchdog.tiles;

/** Hash tile {@code tile/<level>/<index>[.p/<width>]}: hashes of subtrees of 256^level leaves. */
public record HashTileId(int level, long index, int width) implements TileResource {
    public static final int MAX_LEVEL = 63;

    public HashTileId {
        if (level < 0 || level > MAX_LEVEL) {
            throw new IllegalArgumentException("tile level must be 0.." + MAX_LEVEL + ", got " + level);
        }
        TilePaths.checkIndexAndWidth(index, width);
    }

    @Override
    public String path() {
        return "tile/" + level + "/" + TilePaths.formatIndex(index) + TilePaths.widthSuffix(width);
    }

    @Override
    public HashTileId full() {
        return new HashTileId(level, index, FULL_WIDTH);
    }

    /** Byte length of this tile: 32 bytes per hash. */
    public int byteLength() {
        return width * 32;
    }
}
