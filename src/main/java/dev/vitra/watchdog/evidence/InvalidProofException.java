package dev.vitra.watchdog.evidence;

/** A proof document that does not prove what it says: names the first check that failed. */
public final class InvalidProofException extends Exception {
    private final String check;

    public InvalidProofException(String check, String problem) {
        super(check + ": " + problem);
        this.check = check;
    }

    /** The check that failed, as docs/evidence.md names it (e.g. {@code canonical}, {@code entries[2].proof}). */
    public String check() {
        return check;
    }
}
