package dev.vitra.watchdog.tilewriter;

import dev.vitra.watchdog.note.SignedCheckpoint;
import dev.vitra.watchdog.note.SignerKey;
import java.io.IOException;
import java.util.List;

/**
 * Writes alternative histories of a log with the log's own key: the fault injection of the reference executor
 * uses them to produce real, validly signed forks.
 */
public final class LogForks {
    private LogForks() {
    }

    /**
     * Writes into {@code target} (which must be empty) the first {@code size} entries of {@code source} with entry
     * {@code index} replaced, and signs a checkpoint for it: same size, different root.
     */
    public static SignedCheckpoint rewrite(LogDirectory source, long size, long index, byte[] replacement,
            LogDirectory target, SignerKey signer, String origin) throws IOException {
        List<byte[]> entries = source.readEntries(0, size);
        entries.set(Math.toIntExact(index), replacement.clone());
        TileWriter writer = TileWriter.open(target, signer, origin);
        writer.appendAll(entries);
        return writer.publish();
    }
}
