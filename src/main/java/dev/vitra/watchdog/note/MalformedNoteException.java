package dev.vitra.watchdog.note;

/** Bytes that are not a well-formed signed note or checkpoint; the message names the rule and where. */
public final class MalformedNoteException extends Exception {
    public MalformedNoteException(String message) {
        super(message);
    }

    public MalformedNoteException(String message, Throwable cause) {
        super(message, cause);
    }
}
