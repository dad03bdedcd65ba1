package dev.vitra.watchdog.cli;

/** Exit codes shared by all commands. */
public final class ExitCodes {
    /** Everything checked holds. */
    public static final int OK = 0;
    /** The log failed verification: a signature, a proof or the data's format. */
    public static final int VERIFICATION_FAILED = 1;
    /** Bad command line or unreadable local input. */
    public static final int USAGE = 2;
    /** The log could not be fetched (network, HTTP errors, timeouts): nothing was concluded about it. */
    public static final int UNAVAILABLE = 3;

    private ExitCodes() {
    }
}
