package dev.vitra.watchdog.tiles;

/** Entry bundle {@code tile/entries/<index>[.p/<width>]}: entries {@code [index*256, index*256 + width)}. */
public record EntryBundleId(long index, int width) implements TileResource {
    public EntryBundleId {
        TilePaths.checkIndexAndWidth(index, width);
    }

    @Override
    public String path() {
        return "tile/entries/" + TilePaths.formatIndex(index) + TilePaths.widthSuffix(width);
    }

    @Override
    public EntryBundleId full() {
        return new EntryBundleId(index, FULL_WIDTH);
    }

    public long firstEntry() {
        return index * FULL_WIDTH;
    }
}
