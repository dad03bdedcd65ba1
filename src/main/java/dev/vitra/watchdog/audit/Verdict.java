package dev.vitra.watchdog.audit;

/** The outcome of a pass, in the exit-code order of every command. */
public enum Verdict {
    /** Everything the logs hold so far is verified. */
    VERIFIED(0),
    /** Misbehaviour is proven (now or by an earlier pass): a fork or a contract breach. */
    MISBEHAVIOUR(1),
    /** Something could not be verified this pass (network, corrupt data, our limits, deadlines passed). */
    COULD_NOT_VERIFY(3),
    /** Verified as far as possible; the rest waits for data that may still arrive. */
    PENDING(4);

    private final int exitCode;

    Verdict(int exitCode) {
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
