package dev.vitra.watchdog.tiles;

/** A tile or bundle whose bytes do not have the shape its path promises. */
public final class TileFormatException extends Exception {
    public TileFormatException(String message) {
        super(message);
    }
}
