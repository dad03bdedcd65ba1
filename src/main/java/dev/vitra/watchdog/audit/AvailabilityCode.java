package dev.vitra.watchdog.audit;

/**
 * Something could not be verified, or has waited past its deadline: never evidence of fraud (anyone can forge
 * unsigned bytes, and our own limits say nothing about the executor). Each says when it clears.
 */
public enum AvailabilityCode {
    /** The log's checkpoint could not be fetched. */
    LogUnreachable(Clears.ON_LOG_SYNC),
    /** The served checkpoint is malformed or its signature does not verify with the log's key. */
    CheckpointInvalid(Clears.ON_LOG_SYNC),
    /** The served checkpoint is validly signed but names another origin. */
    WrongOrigin(Clears.ON_LOG_SYNC),
    /** Tiles needed to verify the served checkpoint could not be fetched (withheld, missing, network). */
    TilesUnavailable(Clears.ON_LOG_SYNC),
    /** The served tiles do not reproduce the signed root (corrupt data, not a fork). */
    TilesMismatch(Clears.ON_LOG_SYNC),
    /** The log grew by more entries than this monitor verifies in one sync (our limit, {@code --max-growth}). */
    GrowthTooLarge(Clears.ON_LOG_SYNC),
    /** The served checkpoint is smaller than one verified before, and a consistent prefix of it. */
    StaleCheckpoint(Clears.ON_LOG_SYNC),
    /** Index entries could not be fetched, or do not hash to the verified tree. */
    EntriesUnavailable(Clears.ON_POSITION),
    /** The op an ack refers to could not be fetched, or does not hash to its oplog's verified tree. */
    OpUnavailable(Clears.ON_POSITION),
    /**
     * A breach was seen, but the entries its proof carries could not be read again (or would make a proof beyond the
     * format's limits): no fraud is claimed without its proof; the next pass tries again.
     */
    EvidenceUnavailable(Clears.ON_POSITION),
    /** Our replay hit a limit of our own (time, memory, change count) or the runtime failed. */
    ReplayAborted(Clears.ON_POSITION),
    /**
     * The replay disagrees with the executor, but the outcome depends on the JavaScript engine (its limits, its stack,
     * a byte-order mark): PROTOCOL §4 makes that an engine-dependent divergence, never fraud. The audit records it
     * and goes on from the executor's published transaction. Kept open as a record of an unverified transaction.
     */
    EngineDependentResult(Clears.NEVER),
    /** A transaction too large for this monitor's window limit. */
    TransactionTooLarge(Clears.ON_POSITION),
    /** An ack's op is still not in its oplog after the pending deadline. */
    AckedOpNotPublished(Clears.ON_POSITION),
    /** The index still ends inside a transaction after the pending deadline. */
    TransactionIncomplete(Clears.ON_POSITION),
    /** An op published in an active oplog is still not processed after the deadline (censorship). */
    OpNotProcessed(Clears.ON_SEQ),
    /** Entry 0 is not the vitra/1 header: another protocol, or a log that does not claim to be a Vitra index. */
    UnsupportedProtocol(Clears.NEVER);

    /** What makes an open finding of this code go away. */
    public enum Clears {
        /** the log's next successful sync */
        ON_LOG_SYNC,
        /** the audit verifying past the finding's index position */
        ON_POSITION,
        /** the oplog's op at the finding's seq being processed (or the oplog no longer being active) */
        ON_SEQ,
        NEVER
    }

    private final Clears clears;

    AvailabilityCode(Clears clears) {
        this.clears = clears;
    }

    public Clears clears() {
        return clears;
    }
}
