package dev.vitra.watchdog.contract;

import java.util.List;
import java.util.Set;

/**
 * What replaying one op gives. {@code engineDependent}: the features the transaction used whose results may differ
 * between conforming engines (PROTOCOL §4, docs/contract-runtime.md): a mismatch in such a transaction is never fraud.
 */
public sealed interface ApplyOutcome {
    /** The op succeeded with these changes, ordered by path. */
    record Applied(List<Change> changes, Set<String> engineDependent) implements ApplyOutcome {
        public Applied {
            changes = List.copyOf(changes);
            engineDependent = Set.copyOf(engineDependent);
        }

        public Applied(List<Change> changes) {
            this(changes, Set.of());
        }
    }

    /** The op failed, as the protocol defines failure (thrown error, invalid path, oversized entry...). */
    record Rejected(String error, Set<String> engineDependent) implements ApplyOutcome {
        public Rejected {
            engineDependent = Set.copyOf(engineDependent);
        }

        public Rejected(String error) {
            this(error, Set.of());
        }
    }

    /** The monitor could not determine the outcome: a limit of its own, or its index was unavailable. */
    record Aborted(AbortReason reason, String detail) implements ApplyOutcome {
    }

    /** The engine-dependent features the transaction used (none for an aborted one). */
    default Set<String> engineDependentFeatures() {
        return switch (this) {
            case Applied a -> a.engineDependent();
            case Rejected r -> r.engineDependent();
            case Aborted a -> Set.of();
        };
    }
}
