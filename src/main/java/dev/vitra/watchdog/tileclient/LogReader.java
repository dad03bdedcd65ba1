package dev.vitra.watchdog.tileclient;

import dev.vitra.watchdog.merkle.ConsistencyProof;
import dev.vitra.watchdog.merkle.Hash;
import dev.vitra.watchdog.merkle.MerkleVerifier;
import dev.vitra.watchdog.merkle.NodeSource;
import dev.vitra.watchdog.merkle.NodeUnavailableException;
import dev.vitra.watchdog.merkle.PrefixCheck;
import dev.vitra.watchdog.merkle.ProofException;
import dev.vitra.watchdog.merkle.RootAccumulator;
import dev.vitra.watchdog.merkle.TreeHasher;
import dev.vitra.watchdog.note.MalformedNoteException;
import dev.vitra.watchdog.note.NoteVerificationException;
import dev.vitra.watchdog.note.SignedCheckpoint;
import dev.vitra.watchdog.note.VerifierKey;
import dev.vitra.watchdog.tiles.EntryBundleId;
import dev.vitra.watchdog.tiles.TileFormatException;
import dev.vitra.watchdog.tiles.TileLayout;
import dev.vitra.watchdog.tiles.TileResource;
import dev.vitra.watchdog.tiles.TiledTree;
import java.util.List;

/**
 * Reads a log through a {@link TileClient} and believes nothing it has not checked against a signed checkpoint:
 * entries are handed out only after their bundle is proven to hash into the checkpoint's root, and consistency
 * between two checkpoints is proven with a proof built locally from the larger tree's tiles.
 */
public final class LogReader {
    private final TileClient client;
    private final String origin;
    private final List<VerifierKey> trusted;

    /** Receives proven entries in index order. */
    @FunctionalInterface
    public interface EntryConsumer {
        void accept(long index, byte[] entry);
    }

    public LogReader(TileClient client, String origin, List<VerifierKey> trusted) {
        this.client = client;
        this.origin = origin;
        this.trusted = List.copyOf(trusted);
    }

    public TileClient client() {
        return client;
    }

    /** Fetches {@code <prefix>/checkpoint} and verifies its signature and origin. */
    public SignedCheckpoint latestCheckpoint() throws FetchException, MalformedNoteException, NoteVerificationException {
        return open(client.fetchCheckpoint());
    }

    /** Verifies checkpoint bytes obtained elsewhere (a file, a stored copy) with this log's keys. */
    public SignedCheckpoint open(byte[] raw) throws MalformedNoteException, NoteVerificationException {
        return SignedCheckpoint.open(raw, origin, trusted);
    }

    /**
     * Streams entries {@code [start, end)} of the tree {@code checkpoint} commits to. Bundles are fetched ahead in
     * parallel (memory bounded by bytes, see {@link BundleStream}); each is proven (its subtree hash plus an audit
     * path from the tiles leads to the signed root) before any of its entries reaches {@code consumer}.
     */
    public void readEntries(SignedCheckpoint checkpoint, long start, long end, EntryConsumer consumer)
            throws FetchException, LogVerificationException, InterruptedException {
        long n = checkpoint.size();
        Hash root = checkpoint.checkpoint().root();
        TiledTree tree = new TiledTree(client, n);
        var proofs = tree.proofs();
        long bundleTreeSize = (n + TileResource.FULL_WIDTH - 1) / TileResource.FULL_WIDTH;
        TreeHasher hasher = new TreeHasher();
        try (BundleStream stream = new BundleStream(client, start, end, n)) {
            while (stream.hasNext()) {
                EntryBundleId bundle = stream.peek();
                List<byte[]> entries;
                try {
                    entries = stream.next();
                } catch (TileFormatException e) {
                    throw new LogVerificationException(LogVerificationException.Kind.ENTRIES_MISMATCH, e.getMessage(),
                            null, null, e);
                }
                RootAccumulator bundleTree = new RootAccumulator();
                for (byte[] entry : entries) {
                    bundleTree.appendLeafHash(hasher.leafHash(entry));
                }
                try {
                    List<Hash> path = proofs.subtreeInclusionPath(8, bundle.index());
                    MerkleVerifier.verifyInclusion(bundle.index(), bundleTreeSize, bundleTree.root(), path, root);
                } catch (ProofException e) {
                    throw new LogVerificationException(LogVerificationException.Kind.ENTRIES_MISMATCH,
                            "entries " + bundle.firstEntry() + ".." + (bundle.firstEntry() + bundle.width() - 1)
                                    + " (" + bundle.path() + ") do not hash into the root of checkpoint size " + n
                                    + ": " + e.getMessage(),
                            e.expected().orElse(null), e.found().orElse(null), e);
                } catch (NodeUnavailableException e) {
                    throw unavailable(e, n);
                }
                for (int i = 0; i < entries.size(); i++) {
                    long index = bundle.firstEntry() + i;
                    if (index >= start && index < end) {
                        consumer.accept(index, entries.get(i));
                    }
                }
            }
        }
    }

    /**
     * Proves that {@code older} (a checkpoint verified before) and {@code newer} (just served) are consistent,
     * ordering them by size, not by arrival (PROTOCOL §5.2). The larger tree's nodes decide (see
     * {@link PrefixCheck}): the server's tiles when {@code newer} is larger; when {@code newer} is smaller,
     * {@code olderTree} if the caller kept the older tree's nodes, else the server's tiles of the older size.
     * Returns the proof from the smaller to the larger tree, or throws: {@link LogVerificationException.Kind#FORK}
     * when the two signed trees conflict, {@code TILES_MISMATCH} when the tiles do not reproduce the larger
     * signed root, and {@code STALE_CHECKPOINT} when {@code newer} is a consistent prefix of {@code older}.
     */
    public ConsistencyProof proveConsistency(SignedCheckpoint older, SignedCheckpoint newer, NodeSource olderTree)
            throws FetchException, LogVerificationException {
        boolean rollback = newer.size() < older.size();
        SignedCheckpoint small = rollback ? newer : older;
        SignedCheckpoint large = rollback ? older : newer;
        long m = small.size();
        long n = large.size();
        RecordingTiles tiles = new RecordingTiles(rollback && olderTree != null ? null : new TiledTree(client, n));
        NodeSource largeTree = tiles.tree == null ? olderTree : tiles;
        PrefixCheck.Result result;
        try {
            result = PrefixCheck.check(m, small.checkpoint().root(), n, large.checkpoint().root(), largeTree);
        } catch (NodeUnavailableException e) {
            if (rollback && e.getCause() instanceof FetchException f) {
                throw new FetchException(f.kind(), f.url(), f.status(), f.attempts(), "the server's checkpoint (size " + m
                        + ") is smaller than the verified one (size " + n + "); telling a stale checkpoint from a fork"
                        + " needs the size-" + n + " tiles, and the server no longer serves them: " + f.getMessage(), f);
            }
            throw unavailable(e, n);
        }
        return switch (result) {
            case PrefixCheck.Result.Consistent c -> {
                if (rollback) {
                    throw new LogVerificationException(LogVerificationException.Kind.STALE_CHECKPOINT,
                            "server's checkpoint has size " + m + ", smaller than the verified size " + n
                                    + " (it is a consistent prefix, so it is stale, not forked)", n, m, null);
                }
                yield c.proof();
            }
            case PrefixCheck.Result.Inconsistent i -> throw new LogVerificationException(
                    LogVerificationException.Kind.FORK,
                    m == n ? "two checkpoints of size " + n + " have different roots"
                            : "checkpoints of size " + m + " and " + n + " are inconsistent: the size-" + n
                                    + " tree's first " + m + " entries hash to " + i.prefixRoot().toBase64()
                                    + ", not to the signed size-" + m + " root (consistency proof of "
                                    + i.proof().path().size() + " hashes)",
                    small.checkpoint().root(), i.prefixRoot(), null);
            case PrefixCheck.Result.NodesDoNotMatch d -> throw new LogVerificationException(
                    LogVerificationException.Kind.TILES_MISMATCH,
                    "tiles served for size " + n + " (" + String.join(", ", tiles.used()) + ") do not reproduce its"
                            + " signed root: " + d.failure().getMessage(),
                    d.failure().expected().orElse(null), d.failure().found().orElse(null), d.failure());
        };
    }

    /** {@link #proveConsistency(SignedCheckpoint, SignedCheckpoint, NodeSource)} with the server's tiles only. */
    public ConsistencyProof proveConsistency(SignedCheckpoint older, SignedCheckpoint newer)
            throws FetchException, LogVerificationException {
        return proveConsistency(older, newer, null);
    }

    /** A tile that could not be fetched is an availability problem; one that arrived malformed is corrupt data. */
    private static FetchException unavailable(NodeUnavailableException e, long treeSize)
            throws LogVerificationException {
        if (e.getCause() instanceof FetchException f) {
            return f;
        }
        throw new LogVerificationException(LogVerificationException.Kind.TILES_MISMATCH,
                "tiles for size " + treeSize + " are unusable: " + e.getMessage(), null, null, e);
    }

    /** The server's tiles of one tree size, remembering which tiles were read so a mismatch can name them. */
    private static final class RecordingTiles implements NodeSource {
        final TiledTree tree;
        private final java.util.Set<String> used = new java.util.LinkedHashSet<>();

        RecordingTiles(TiledTree tree) {
            this.tree = tree;
        }

        @Override
        public Hash perfectNode(int level, long index) throws NodeUnavailableException {
            long firstHash = index << (level % 8);
            used.add(TileLayout.hashTile(level / 8, firstHash / TileResource.FULL_WIDTH, tree.treeSize()).path());
            return tree.perfectNode(level, index);
        }

        List<String> used() {
            return List.copyOf(used);
        }
    }
}
