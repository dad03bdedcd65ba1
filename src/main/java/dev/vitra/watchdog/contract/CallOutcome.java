package dev.vitra.watchdog.contract;

import java.util.List;
import java.util.Optional;

/** Result of a participant-API method call: {@code call(method, params, isWriter)}. */
public sealed interface CallOutcome {
    /** The method returned ({@code resultJson} empty for undefined) and emitted these ops. */
    record Returned(Optional<String> resultJson, List<String> emittedOps) implements CallOutcome {
        public Returned {
            emittedOps = List.copyOf(emittedOps);
        }
    }

    record Failed(String error) implements CallOutcome {
    }

    record Aborted(AbortReason reason, String detail) implements CallOutcome {
    }
}
