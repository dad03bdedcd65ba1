package dev.vitra.watchdog.tileclient;

import java.io.IOException;

/**
 * A resource could not be fetched: an availability problem, never evidence against the log (anyone can
 * produce unsigned bytes or errors). Says which URL, what went wrong and after how many attempts.
 */
public final class FetchException extends IOException {
    public enum Kind {
        NOT_FOUND, HTTP_STATUS, TOO_LARGE, TIMEOUT, NETWORK, REDIRECT_REFUSED, RETRY_AFTER_TOO_LONG, INTERRUPTED
    }

    private final Kind kind;
    private final String url;
    private final int status;
    private final int attempts;

    public FetchException(Kind kind, String url, int status, int attempts, String message, Throwable cause) {
        super(url + ": " + message + (attempts > 1 ? " (after " + attempts + " attempts)" : ""), cause);
        this.kind = kind;
        this.url = url;
        this.status = status;
        this.attempts = attempts;
    }

    public Kind kind() {
        return kind;
    }

    public String url() {
        return url;
    }

    /** HTTP status of the last response, or -1 when there was none. */
    public int status() {
        return status;
    }

    public int attempts() {
        return attempts;
    }
}
