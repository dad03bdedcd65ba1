package dev.vitra.watchdog.merkle;

/** A {@link NodeSource} could not produce a hash (missing tile, network failure, malformed data). */
public class NodeUnavailableException extends Exception {
    public NodeUnavailableException(String message) {
        super(message);
    }

    public NodeUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
