package dev.vitra.watchdog.contract;

import java.util.List;

/** What replaying one op gives. */
public sealed interface ApplyOutcome {
    /** The op succeeded with these changes, ordered by path. */
    record Applied(List<Change> changes) implements ApplyOutcome {
        public Applied {
            changes = List.copyOf(changes);
        }
    }

    /** The op failed, as the protocol defines failure (thrown error, invalid path, oversized entry...). */
    record Rejected(String error) implements ApplyOutcome {
    }

    /** The monitor could not determine the outcome: a limit of its own, or its index was unavailable. */
    record Aborted(AbortReason reason, String detail) implements ApplyOutcome {
    }
}
