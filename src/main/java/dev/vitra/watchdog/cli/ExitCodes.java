package dev.vitra.watchdog.cli;

/** The one exit-code convention of every command. */
public final class ExitCodes {
    /** Everything checked holds. */
    public static final int OK = 0;
    /** Misbehaviour proven by signed material that contradicts itself (a fork, a contract breach). */
    public static final int MISBEHAVIOUR = 1;
    /** Bad command line, or a local file that cannot be read or is not what the option needs. */
    public static final int USAGE = 2;
    /**
     * Could not verify: network, corrupt or withheld tiles and bundles, bad or missing signatures, a wrong origin,
     * a limit of the monitor's own. Nothing was concluded against anyone.
     */
    public static final int COULD_NOT_VERIFY = 3;
    /** Verified as far as the logs allow; something is waiting for data that may still arrive (audit only). */
    public static final int PENDING = 4;

    private ExitCodes() {
    }
}
