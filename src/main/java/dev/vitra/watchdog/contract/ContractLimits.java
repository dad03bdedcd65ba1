package dev.vitra.watchdog.contract;

import java.time.Duration;

/**
 * What the monitor grants a contract. Exceeding one is reported as {@link ApplyOutcome.Aborted}: the monitor
 * could not determine the outcome, which is an availability problem and never evidence of fraud.
 *
 * @param timeBudget   wall-clock time for one apply, call or process, module evaluation included
 * @param maxChanges   changes one transaction may queue
 * @param maxSourceBytes size of a contract's source in UTF-8; an index entry (65,535 bytes) holds less anyway
 * @param heapFraction fraction of the maximum heap that, once live (checked with a full collection), makes the
 *                     engine cancel running contracts
 */
public record ContractLimits(Duration timeBudget, int maxChanges, int maxSourceBytes, double heapFraction) {
    /**
     * The deepest JSON nesting handed to the JavaScript engine (an op, ack metadata, a stored value read through
     * the index). GraalJS's own parser gives up somewhere between 1,500 and 3,000 levels, differently from run to
     * run; below this documented bound it never does, and above it the outcome is Aborted (JSON_DEPTH), a limit of
     * this monitor, never a verdict.
     */
    public static final int MAX_JSON_DEPTH = 1000;

    /**
     * The longest string {@code BigInt()} may parse. The engine parses in one uninterruptible, quadratic step (3
     * million digits took 144 s here, 300,000 about 3 s), which a cancellation cannot stop; up to this length it
     * takes well under a second. No op can carry a string this long (an entry is at most 65,535 bytes), so only
     * a contract's own computation reaches it. Past it the outcome is Aborted (BUILTIN_INPUT), never a verdict.
     * Must match {@code MAX_BIGINT_STRING_CHARS} in runtime.mjs.
     */
    public static final int MAX_BIGINT_STRING_CHARS = 100_000;

    public ContractLimits {
        if (timeBudget.isNegative() || timeBudget.isZero() || maxChanges < 1 || maxSourceBytes < 1
                || heapFraction <= 0 || heapFraction >= 1) {
            throw new IllegalArgumentException("contract limits must be positive (heap fraction below 1)");
        }
    }

    public static ContractLimits defaults() {
        return new ContractLimits(Duration.ofSeconds(5), 10_000, 65_535, 0.7);
    }

    public ContractLimits withTimeBudget(Duration budget) {
        return new ContractLimits(budget, maxChanges, maxSourceBytes, heapFraction);
    }

    public ContractLimits withMaxChanges(int max) {
        return new ContractLimits(timeBudget, max, maxSourceBytes, heapFraction);
    }

    public ContractLimits withHeapFraction(double fraction) {
        return new ContractLimits(timeBudget, maxChanges, maxSourceBytes, fraction);
    }
}
