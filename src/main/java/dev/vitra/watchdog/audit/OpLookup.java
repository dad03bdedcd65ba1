package dev.vitra.watchdog.audit;

import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.note.SignedCheckpoint;
import java.util.Map;

/** Where the state machine gets the op an ack refers to: only from a verified oplog tree. */
interface OpLookup {
    /** What looking up op {@code seq} of {@code oplog} found. */
    sealed interface Result {
        /** The op's bytes, proven to be entry {@code seq} of the tree {@code checkpoint} signs. */
        record Available(byte[] op, SignedCheckpoint checkpoint) implements Result {
        }

        /** No verified checkpoint of the oplog covers the op yet. */
        record NotYetPublished(long verifiedSize) implements Result {
        }

        /** The oplog forked; this op lies outside the prefix both versions provably share. */
        record BeyondForkedPrefix(long sharedPrefix) implements Result {
        }

        /** The op (or its oplog's checkpoint) could not be fetched or did not hash to the verified tree. */
        record Unavailable(String resource, String problem) implements Result {
        }
    }

    Result op(LogId oplog, long seq) throws InterruptedException;

    /** Per oplog, the verified checkpoint covering every op processed so far (for evidence). */
    Map<LogId, SignedCheckpoint> verifiedCheckpoints();
}
