package dev.vitra.watchdog.tilewriter;

import dev.vitra.watchdog.merkle.Hash;
import dev.vitra.watchdog.merkle.NodeUnavailableException;
import dev.vitra.watchdog.merkle.RootAccumulator;
import dev.vitra.watchdog.merkle.TreeHasher;
import dev.vitra.watchdog.note.Checkpoint;
import dev.vitra.watchdog.note.MalformedNoteException;
import dev.vitra.watchdog.note.NoteVerificationException;
import dev.vitra.watchdog.note.SignedCheckpoint;
import dev.vitra.watchdog.note.SignerKey;
import dev.vitra.watchdog.tiles.EntryBundleId;
import dev.vitra.watchdog.tiles.EntryBundles;
import dev.vitra.watchdog.tiles.HashTileId;
import dev.vitra.watchdog.tiles.HashTiles;
import dev.vitra.watchdog.tiles.TileFormatException;
import dev.vitra.watchdog.tiles.TileLayout;
import dev.vitra.watchdog.tiles.TileResource;
import dev.vitra.watchdog.tiles.TiledTree;
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
    private final RootAccumulator root;
    /** Per tile level: the hashes of the current, not yet full tile. */
    private final List<List<Hash>> pendingHashes = new ArrayList<>();
    private final List<byte[]> pendingEntries = new ArrayList<>();
    /** Full tiles and bundles written since the last publish: their partial versions go after the next one. */
    private final List<TileResource> completedSincePublish = new ArrayList<>();
    private long size;
    private SignedCheckpoint published;

    private TileWriter(LogDirectory dir, SignerKey signer, String origin, RootAccumulator root) {
        this.dir = dir;
        this.signer = signer;
        this.origin = origin;
        this.root = root;
        this.size = root.size();
    }

    /** Opens the log in {@code dir}, creating an empty one (with a signed size-0 checkpoint) if there is none. */
    public static TileWriter open(LogDirectory dir, SignerKey signer, String origin) throws IOException {
        if (!dir.hasCheckpoint()) {
            TileWriter writer = new TileWriter(dir, signer, origin, new RootAccumulator());
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
        RootAccumulator acc;
        try {
            acc = RootAccumulator.resume(new TiledTree(dir, n), n);
        } catch (NodeUnavailableException e) {
            throw new IOException("tiles in " + dir.root() + " do not cover the checkpoint: " + e.getMessage(), e);
        }
        if (!acc.root().equals(checkpoint.checkpoint().root())) {
            throw new IOException("tiles in " + dir.root() + " hash to " + acc.root() + " but the checkpoint says "
                    + checkpoint.checkpoint().root());
        }
        TileWriter writer = new TileWriter(dir, signer, origin, acc);
        writer.published = checkpoint;
        try {
            for (HashTileId partial : TileLayout.partialTiles(n)) {
                writer.pending(partial.level()).addAll(HashTiles.parse(partial, dir.read(partial)));
            }
            int bundleWidth = (int) (n % TileResource.FULL_WIDTH);
            if (bundleWidth > 0) {
                EntryBundleId bundle = new EntryBundleId(n / TileResource.FULL_WIDTH, bundleWidth);
                writer.pendingEntries.addAll(EntryBundles.parse(bundle, dir.read(bundle)));
                List<Hash> leaves = writer.pending(0);
                for (int i = 0; i < bundleWidth; i++) {
                    if (!writer.hasher.leafHash(writer.pendingEntries.get(i)).equals(leaves.get(i))) {
                        throw new IOException("entry " + (bundle.firstEntry() + i) + " in " + bundle.path()
                                + " does not match its leaf hash in the level-0 tile");
                    }
                }
            }
        } catch (TileFormatException e) {
            throw new IOException("partial tile in " + dir.root() + " is corrupt: " + e.getMessage(), e);
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
        return size;
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
        long index = size;
        Hash leaf = hasher.leafHash(entry);
        root.appendLeafHash(leaf);
        pendingEntries.add(entry.clone());
        size++;
        if (pendingEntries.size() == TileResource.FULL_WIDTH) {
            EntryBundleId bundle = new EntryBundleId(size / TileResource.FULL_WIDTH - 1, TileResource.FULL_WIDTH);
            dir.write(bundle, EntryBundles.format(pendingEntries));
            completedSincePublish.add(bundle);
            pendingEntries.clear();
        }
        addHash(0, leaf);
        return index;
    }

    public void appendAll(List<byte[]> entries) throws IOException {
        for (byte[] e : entries) {
            append(e);
        }
    }

    /** Writes the partial tiles and bundle for the current size, then the signed checkpoint. */
    public SignedCheckpoint publish() throws IOException {
        for (int level = 0; level < pendingHashes.size(); level++) {
            List<Hash> hashes = pendingHashes.get(level);
            if (!hashes.isEmpty()) {
                long index = TileLayout.hashesAtLevel(level, size) / TileResource.FULL_WIDTH;
                dir.write(new HashTileId(level, index, hashes.size()), HashTiles.format(hashes));
            }
        }
        if (!pendingEntries.isEmpty()) {
            dir.write(new EntryBundleId(size / TileResource.FULL_WIDTH, pendingEntries.size()),
                    EntryBundles.format(pendingEntries));
        }
        SignedCheckpoint checkpoint = SignedCheckpoint.sign(new Checkpoint(origin, size, root.root()), signer);
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

    private void addHash(int level, Hash hash) throws IOException {
        List<Hash> hashes = pending(level);
        hashes.add(hash);
        if (hashes.size() == TileResource.FULL_WIDTH) {
            long index = TileLayout.hashesAtLevel(level + 1, size) - 1;
            HashTileId tile = new HashTileId(level, index, TileResource.FULL_WIDTH);
            dir.write(tile, HashTiles.format(hashes));
            completedSincePublish.add(tile);
            Hash tileRoot = perfectRoot(hashes);
            hashes.clear();
            addHash(level + 1, tileRoot);
        }
    }

    private List<Hash> pending(int level) {
        while (pendingHashes.size() <= level) {
            pendingHashes.add(new ArrayList<>());
        }
        return pendingHashes.get(level);
    }

    private Hash perfectRoot(List<Hash> hashes) {
        List<Hash> layer = new ArrayList<>(hashes);
        while (layer.size() > 1) {
            List<Hash> up = new ArrayList<>(layer.size() / 2);
            for (int i = 0; i < layer.size(); i += 2) {
                up.add(hasher.nodeHash(layer.get(i), layer.get(i + 1)));
            }
            layer = up;
        }
        return layer.get(0);
    }
}
