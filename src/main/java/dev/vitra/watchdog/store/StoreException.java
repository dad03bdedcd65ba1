package dev.vitra.watchdog.store;

/**
 * The audit store failed (database unreachable, a constraint broken, a migration refused). Unchecked: nothing the
 * audit can do about it but stop without committing, which leaves the last committed chunk intact.
 */
public final class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(String message) {
        super(message);
    }
}
