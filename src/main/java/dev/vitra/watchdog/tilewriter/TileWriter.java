package dev.vitra.watchdog.tilewriter;

import dev.vitra.watchdog.merkle.Hash;
import dev.vitra.watchdog.merkle.TreeHasher;
import dev.vitra.watchdog.note.Checkpoint;
import dev.vitra.watchdog.note.MalformedNoteException;
import dev.vitra.watchdog.note.NoteVerificationException;
import dev.vitra.watchdog.note.SignedCheckpoint;
import dev.vitra.watchdog.note.SignerKey;
import dev.vitra.watchdog.tiles.EntryBundleId;
import dev.vitra.watchdog.tiles.EntryBundles;
import dev.vitra.watchdog.tiles.HashTiles;
import dev.vitra.watchdog.tiles.TileFormatException;
import dev.vitra.watchdog.tiles.TileResource;
import dev.vitra.watchdog.tiles.TileTreeBuilder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Appends entries to a log stored as tlog-tiles static files and publishes signed checkpoints.
 *
 * <p>Full tiles and bundles are written as soon as they fill up; partial ones and the checkpoint only on
 * {@link #publish()}, checkpoint last, so every published checkpoint has all its tiles on disk before it. Partial
 * tiles made obsolete by a full one are deleted only after the next checkpoint is published.
 * Not thread-safe: one writer per log. Files are renamed into place, which survives a process crash; they
 * are not fsynced, so a power loss may lose the latest checkpoint (never produce a torn one).
 */
public final class TileWriter {
    private final LogDirectory dir;
    private final SignerKey signer;
    private final String origin;
    private final TreeHasher hasher = new TreeHasher();
    private final TileTreeBuilder tree;
    private final List<byte[]> pendingEntries = new ArrayList<>();
    /** Full tiles and bundles written since the last publish: their partial versions go after the next one. */
    private final List<TileResource> completedSincePublish = new ArrayList<>();
    private SignedCheckpoint published;

    private TileWriter(LogDirectory dir, SignerKey signer, String origin, TileTreeBuilder tree) {
        this.dir = dir;
        this.signer = signer;
        this.origin = origin;
        this.tree = tree;
    }

    /** Opens the log in {@code dir}, creating an empty one (with a signed size-0 checkpoint) if there is none. */
    public static TileWriter open(LogDirectory dir, SignerKey signer, String origin) throws IOException {
        if (!dir.hasCheckpoint()) {
            TileWriter writer = new TileWriter(dir, signer, origin, TileTreeBuilder.empty());
            writer.publish();
            return writer;
        }
        SignedCheckpoint checkpoint;
        try {
            checkpoint = SignedCheckpoint.open(dir.readCheckpoint(), origin, List.of(signer.verifierKey()));
        } catch (MalformedNoteException | NoteVerificationException e) {
            throw new IOException("existing checkpoint in " + dir.root() + " is not this log's: " + e.getMessage(), e);
        }
        long n = checkpoint.size();
        TileTreeBuilder tree;
        try {
            tree = TileTreeBuilder.resume(dir, n);
        } catch (IOException e) {
            throw new IOException("tiles in " + dir.root() + " do not cover the checkpoint: " + e.getMessage(), e);
        } catch (TileFormatException e) {
            throw new IOException("partial tile in " + dir.root() + " is corrupt: " + e.getMessage(), e);
        }
        if (!tree.root().equals(checkpoint.checkpoint().root())) {
            throw new IOException("tiles in " + dir.root() + " hash to " + tree.root() + " but the checkpoint says "
                    + checkpoint.checkpoint().root());
        }
        TileWriter writer = new TileWriter(dir, signer, origin, tree);
        writer.published = checkpoint;
        int bundleWidth = (int) (n % TileResource.FULL_WIDTH);
        if (bundleWidth > 0) {
            EntryBundleId bundle = new EntryBundleId(n / TileResource.FULL_WIDTH, bundleWidth);
            try {
                writer.pendingEntries.addAll(EntryBundles.parse(bundle, dir.read(bundle)));
            } catch (TileFormatException e) {
                throw new IOException("partial bundle in " + dir.root() + " is corrupt: " + e.getMessage(), e);
            }
            List<Hash> leaves = tree.partialTiles().get(0).hashes();
            for (int i = 0; i < bundleWidth; i++) {
                if (!writer.hasher.leafHash(writer.pendingEntries.get(i)).equals(leaves.get(i))) {
                    throw new IOException("entry " + (bundle.firstEntry() + i) + " in " + bundle.path()
                            + " does not match its leaf hash in the level-0 tile");
                }
            }
        }
        return writer;
    }

    public String origin() {
        return origin;
    }

    public LogDirectory directory() {
        return dir;
    }

    /** Entries appended so far, published or not. */
    public long size() {
        return tree.size();
    }

    public SignedCheckpoint published() {
        return published;
    }

    /** Appends one entry and returns its index. */
    public long append(byte[] entry) throws IOException {
        if (entry.length > EntryBundles.MAX_ENTRY_BYTES) {
            throw new IllegalArgumentException("entry of " + entry.length + " bytes exceeds the limit of "
                    + EntryBundles.MAX_ENTRY_BYTES);
        }
        long index = tree.size();
        pendingEntries.add(entry.clone());
        if (pendingEntries.size() == TileResource.FULL_WIDTH) {
            EntryBundleId bundle = new EntryBundleId(index / TileResource.FULL_WIDTH, TileResource.FULL_WIDTH);
            dir.write(bundle, EntryBundles.format(pendingEntries));
            completedSincePublish.add(bundle);
            pendingEntries.clear();
        }
        tree.appendLeaf(hasher.leafHash(entry), (tile, hashes) -> {
            dir.write(tile, HashTiles.format(hashes));
            completedSincePublish.add(tile);
        });
        return index;
    }

    public void appendAll(List<byte[]> entries) throws IOException {
        for (byte[] e : entries) {
            append(e);
        }
    }

    /** Writes the partial tiles and bundle for the current size, then the signed checkpoint. */
    public SignedCheckpoint publish() throws IOException {
        long size = tree.size();
        for (TileTreeBuilder.Tile partial : tree.partialTiles()) {
            dir.write(partial.id(), HashTiles.format(partial.hashes()));
        }
        if (!pendingEntries.isEmpty()) {
            dir.write(new EntryBundleId(size / TileResource.FULL_WIDTH, pendingEntries.size()),
                    EntryBundles.format(pendingEntries));
        }
        SignedCheckpoint checkpoint = SignedCheckpoint.sign(new Checkpoint(origin, size, tree.root()), signer);
        dir.writeCheckpoint(checkpoint.raw());
        published = checkpoint;
        // Only now is no published checkpoint left that needs those partials (clients of older checkpoints fall
        // back to the full tile, as tlog-tiles allows); deleting them earlier would break a resume from disk.
        for (TileResource full : completedSincePublish) {
            dir.deletePartials(full);
        }
        completedSincePublish.clear();
        return checkpoint;
    }
}
