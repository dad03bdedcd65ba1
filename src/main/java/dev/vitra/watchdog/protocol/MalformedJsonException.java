package dev.vitra.watchdog.protocol;

/** Bytes or text that are not exactly one strict JSON value; says what and where. */
public final class MalformedJsonException extends Exception {
    private final int offset;

    public MalformedJsonException(String message, int offset) {
        super(message);
        this.offset = offset;
    }

    /** Character offset (byte offset for UTF-8 errors) where the problem was found. */
    public int offset() {
        return offset;
    }
}
