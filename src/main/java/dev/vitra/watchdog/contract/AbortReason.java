package dev.vitra.watchdog.contract;

/** Why the monitor gave up on a contract call; none of these is a verdict about the executor. */
public enum AbortReason {
    TIME_BUDGET, MEMORY, STACK_DEPTH, CHANGE_LIMIT, INDEX_UNAVAILABLE, INTERNAL,
    /** JSON (an op, ack metadata, a stored value) nested deeper than {@link ContractLimits#MAX_JSON_DEPTH}. */
    JSON_DEPTH
}
