package dev.vitra.watchdog.tileclient;

import dev.vitra.watchdog.util.VerificationFailure;

/**
 * Signed material and the data served with it disagree. Only {@link Kind#FORK} is, by itself, evidence
 * against the log (two valid signatures on inconsistent trees); the other kinds mean the served tiles or
 * bundles are wrong, which an honest signer behind a broken server could also produce.
 */
public final class LogVerificationException extends VerificationFailure {
    public enum Kind {
        /** Entries in a bundle do not hash into the signed root (bundle or tiles are corrupt). */
        ENTRIES_MISMATCH,
        /** Tiles do not reproduce the signed root of the newer checkpoint. */
        TILES_MISMATCH,
        /** A consistency proof that reaches the newer signed root shows a different prefix than the older one. */
        FORK,
        /** The server's checkpoint is smaller than one already verified, but consistent with it. */
        STALE_CHECKPOINT
    }

    private final Kind kind;

    public LogVerificationException(Kind kind, String message, Object expected, Object found, Throwable cause) {
        super(message, expected, found, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
