package dev.vitra.watchdog.util;

import java.util.Optional;

/**
 * A verification that failed, carrying what was expected versus what was found, so that reports and evidence
 * can say exactly what disagreed. Subclasses add the kind of failure.
 */
public abstract class VerificationFailure extends Exception {
    private final String expected;
    private final String found;

    protected VerificationFailure(String message, Object expected, Object found, Throwable cause) {
        super(message, cause);
        this.expected = expected == null ? null : expected.toString();
        this.found = found == null ? null : found.toString();
    }

    public Optional<String> expected() {
        return Optional.ofNullable(expected);
    }

    public Optional<String> found() {
        return Optional.ofNullable(found);
    }
}
