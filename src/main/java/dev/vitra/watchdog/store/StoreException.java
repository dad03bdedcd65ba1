package dev.vitra.watchdog.store;

/**
 * The audit store failed (database unreachable, a constraint broken, a migration refused). Unchecked: nothing the
 * audit can do about it but stop without committing, which leaves the last committed chunk intact.
 */
public final class StoreException extends RuntimeException {
    /** The configuration's fault (credentials, an unknown database, a wrong encoding), not the server's state. */
    private final boolean localInput;

    public StoreException(String message, Throwable cause) {
        this(message, cause, false);
    }

    public StoreException(String message, Throwable cause, boolean localInput) {
        super(message, cause);
        this.localInput = localInput;
    }

    public StoreException(String message) {
        this(message, false);
    }

    public StoreException(String message, boolean localInput) {
        super(message);
        this.localInput = localInput;
    }

    public boolean localInput() {
        return localInput;
    }
}
