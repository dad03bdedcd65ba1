package dev.vitra.watchdog.tilewriter;

import dev.vitra.watchdog.note.SignedCheckpoint;
import dev.vitra.watchdog.note.SignerKey;
import dev.vitra.watchdog.tiles.EntryBundleId;
import dev.vitra.watchdog.tiles.EntryBundles;
import dev.vitra.watchdog.tiles.TileFormatException;
import dev.vitra.watchdog.tiles.TileLayout;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes alternative histories of a log with the log's own key: the fault injection of the reference executor
 * uses them to produce real, validly signed forks.
 */
public final class LogForks {
    private LogForks() {
    }

    /** The first {@code size} entries of the log in {@code dir}. */
    public static List<byte[]> entries(LogDirectory dir, long size) throws IOException {
        List<byte[]> out = new ArrayList<>();
        for (EntryBundleId bundle : TileLayout.bundles(0, size, size)) {
            try {
                out.addAll(EntryBundles.parse(bundle, dir.read(bundle)));
            } catch (TileFormatException e) {
                throw new IOException("cannot fork a corrupt log: " + e.getMessage(), e);
            }
        }
        return out;
    }

    /**
     * Writes into {@code target} (which must be empty) the first {@code size} entries of {@code source} with entry
     * {@code index} replaced, and signs a checkpoint for it: same size, different root.
     */
    public static SignedCheckpoint rewrite(LogDirectory source, long size, long index, byte[] replacement,
            LogDirectory target, SignerKey signer, String origin) throws IOException {
        List<byte[]> entries = entries(source, size);
        entries.set(Math.toIntExact(index), replacement.clone());
        TileWriter writer = TileWriter.open(target, signer, origin);
        writer.appendAll(entries);
        return writer.publish();
    }
}
