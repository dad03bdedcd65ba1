package dev.vitra.watchdog.contract;

/** Why the monitor gave up on a contract call; none of these is a verdict about the executor. */
public enum AbortReason {
    TIME_BUDGET, MEMORY, STACK_DEPTH, CHANGE_LIMIT, INDEX_UNAVAILABLE, INTERNAL,
    /** JSON (an op, ack metadata, a stored value) nested deeper than {@link ContractLimits#MAX_JSON_DEPTH}. */
    JSON_DEPTH,
    /**
     * A built-in that the engine cannot interrupt was given an input past this monitor's limit (a BigInt parsed from
     * more than {@link ContractLimits#MAX_BIGINT_STRING_CHARS} characters): it would overrun the time budget.
     */
    BUILTIN_INPUT
}
