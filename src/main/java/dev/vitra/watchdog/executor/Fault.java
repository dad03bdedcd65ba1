package dev.vitra.watchdog.executor;

/**
 * Ways the reference executor can be told to cheat, so that every check of the watchdog has something real to
 * catch. Each names what it does and what a monitor should conclude (PROTOCOL §5 codes); docs/executor.md lists
 * them. Processing faults act on every op processed while they are on, except where noted; the others act on
 * every HTTP response for a log while they are on.
 */
public enum Fault {
    DOUBLE_PROCESS("process an op twice: its ack and changes are published a second time",
            "ProcessedOutOfOrderError at the repeated ack"),
    SKIP_OP("skip an op: its seq is never acknowledged, the next op's is",
            "ProcessedOutOfOrderError at the ack after the gap"),
    WRONG_CHANGES("publish a put of /wrong instead of the contract's changes",
            "ChangeMismatchError at the first change"),
    MISSING_CHANGE("leave out the last change (numChanges counts what is published)",
            "ChangeNotProducedByExecutorError"),
    EXTRA_CHANGE("publish one more change than the contract produced: a put of /extra",
            "ChangeNotProducedByMonitorError"),
    FAIL_VALID_OP("acknowledge an op the contract accepts as failed",
            "ExecutorApplyFailedError"),
    SUCCEED_REJECTED_OP("acknowledge an op the contract rejects as successful, with no changes",
            "MonitorApplyFailedError"),
    WRONG_NUM_CHANGES("claim one change more in the ack than is published, so the window swallows the next ack",
            "InvalidSchemaError (an ack inside a change window)"),
    NON_PARTICIPANT("process an op from an oplog that is not a participant (once per processing run)",
            "NonParticipantError"),
    ACK_MISSING_OP("acknowledge the next seq of a participant whose oplog has no such op (once per processing run)",
            "pending op; an availability finding once the deadline passes"),

    // Signed forks (one-shot: they act when switched on, then switch themselves off).
    REWRITE_ENTRY("replace the last index entry with a put of /rewritten, re-sign a checkpoint of the same size and"
            + " continue from that history", "LogFork: two signed index checkpoints that are inconsistent"),
    FORK_OPLOG("replace the last op of the first participant's oplog and re-sign it",
            "LogFork of the oplog: the participant's misbehaviour, never the executor's"),
    EQUIVOCATE("serve a forked index log (last entry rewritten, signed) to every second client connection",
            "LogFork once two views meet (e.g. via witnesses or other monitors)"),

    // Log misbehaviour on the wire: what is served differs from what was signed or written.
    BAD_SIGNATURE("serve checkpoints whose signature is altered (still valid base64)",
            "an invalid signature from the log's key: the checkpoint is rejected; availability, not fraud"),
    CORRUPT_TILE("serve hash tiles with the first hash altered",
            "tiles do not reproduce the signed root: availability, not fraud"),
    CORRUPT_BUNDLE("serve entry bundles with a byte of the first entry altered (lengths intact)",
            "entries do not hash into the signed root: availability, not fraud"),

    // Availability.
    SLOW_RESPONSES("answer every log request after 2 seconds", "timeouts; availability finding"),
    INTERMITTENT_500("answer every other log request with HTTP 500", "retries succeed; repeated failures are an availability finding"),
    RATE_LIMIT_429("answer every other log request with HTTP 429 and Retry-After: 1", "the monitor waits as asked and retries"),
    WITHHOLD_TILES("answer 404 for every tile and bundle (checkpoints still served)", "availability finding; nothing can be verified");

    private final String description;
    private final String conclusion;

    Fault(String description, String conclusion) {
        this.description = description;
        this.conclusion = conclusion;
    }

    public String description() {
        return description;
    }

    /**
     * Rewrites history that was already signed. A monitor reports it as a fork only if it verified the old history
     * before the rewrite; one that only ever sees the new version cannot know there was another (docs/audit.md).
     */
    public boolean rewritesSignedHistory() {
        return this == REWRITE_ENTRY || this == FORK_OPLOG || this == EQUIVOCATE;
    }

    /** What a monitor watching this executor should report. */
    public String conclusion() {
        return conclusion;
    }
}
