package dev.vitra.watchdog.contract;

import java.util.Optional;

/** Result of the executor-only {@code process(op)}: metadata for the ack, empty when it returned undefined. */
public sealed interface ProcessOutcome {
    record Metadata(Optional<String> metadataJson) implements ProcessOutcome {
    }

    record Failed(String error) implements ProcessOutcome {
    }

    record Aborted(AbortReason reason, String detail) implements ProcessOutcome {
    }
}
