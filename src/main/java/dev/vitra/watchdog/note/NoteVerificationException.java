package dev.vitra.watchdog.note;

import java.util.List;

/** A well-formed note whose signatures do not satisfy the verifier. */
public final class NoteVerificationException extends Exception {
    public enum Kind {
        /** No signature line is from a known key (name and key id both matching). */
        NO_KNOWN_SIGNATURE,
        /** A signature line from a known key does not verify: the whole note is rejected. */
        INVALID_SIGNATURE,
        /** The note verified but its origin is not the one this log must use. */
        WRONG_ORIGIN
    }

    private final Kind kind;
    private final List<String> expected;
    private final List<String> found;

    public NoteVerificationException(Kind kind, String message, List<String> expected, List<String> found) {
        super(message);
        this.kind = kind;
        this.expected = List.copyOf(expected);
        this.found = List.copyOf(found);
    }

    public Kind kind() {
        return kind;
    }

    /** The keys (or origin) the verifier accepts. */
    public List<String> expected() {
        return expected;
    }

    /** The signers (name+keyid) or origin the note carried. */
    public List<String> found() {
        return found;
    }
}
