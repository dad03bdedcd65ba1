package dev.vitra.watchdog.protocol;

/** An index entry or ack value that does not have the shape PROTOCOL §3 requires; the message says what is wrong. */
public final class InvalidEntryException extends Exception {
    public InvalidEntryException(String message) {
        super(message);
    }

    public InvalidEntryException(String message, Throwable cause) {
        super(message, cause);
    }
}
