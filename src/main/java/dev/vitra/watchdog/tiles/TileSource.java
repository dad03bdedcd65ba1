package dev.vitra.watchdog.tiles;

import java.io.IOException;

/** Reads the raw bytes of a tile or bundle: from disk, or over HTTP. */
@FunctionalInterface
public interface TileSource {
    byte[] read(TileResource resource) throws IOException;
}
