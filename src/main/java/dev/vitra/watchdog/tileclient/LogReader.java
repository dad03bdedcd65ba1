package dev.vitra.watchdog.tileclient;

import dev.vitra.watchdog.merkle.ConsistencyProof;
import dev.vitra.watchdog.merkle.Hash;
import dev.vitra.watchdog.merkle.MerkleVerifier;
import dev.vitra.watchdog.merkle.NodeUnavailableException;
import dev.vitra.watchdog.merkle.ProofException;
import dev.vitra.watchdog.merkle.RootAccumulator;
import dev.vitra.watchdog.merkle.TreeHasher;
import dev.vitra.watchdog.note.MalformedNoteException;
import dev.vitra.watchdog.note.NoteVerificationException;
import dev.vitra.watchdog.note.SignedCheckpoint;
import dev.vitra.watchdog.note.VerifierKey;
import dev.vitra.watchdog.tiles.EntryBundleId;
import dev.vitra.watchdog.tiles.EntryBundles;
import dev.vitra.watchdog.tiles.TileFormatException;
import dev.vitra.watchdog.tiles.TileLayout;
import dev.vitra.watchdog.tiles.TileResource;
import dev.vitra.watchdog.tiles.TiledTree;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Reads a log through a {@link TileClient} and believes nothing it has not checked against a signed checkpoint:
 * entries are handed out only after their bundle is proven to hash into the checkpoint's root, and consistency
 * between two checkpoints is proven with a proof built locally from the newer tree's tiles.
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
     * parallel; each is proven (its subtree hash plus an audit path from the tiles leads to the signed root) before
     * any of its entries reaches {@code consumer}.
     */
    public void readEntries(SignedCheckpoint checkpoint, long start, long end, EntryConsumer consumer)
            throws FetchException, LogVerificationException, InterruptedException {
        long n = checkpoint.size();
        Hash root = checkpoint.checkpoint().root();
        List<EntryBundleId> bundles = TileLayout.bundles(start, end, n);
        TiledTree tree = new TiledTree(client, n);
        var proofs = tree.proofs();
        long bundleTreeSize = (n + TileResource.FULL_WIDTH - 1) / TileResource.FULL_WIDTH;
        int window = Math.max(2, 2 * client.parallelism());
        Deque<CompletableFuture<List<byte[]>>> inFlight = new ArrayDeque<>();
        int next = 0;
        TreeHasher hasher = new TreeHasher();
        try {
            for (EntryBundleId bundle : bundles) {
                while (next < bundles.size() && inFlight.size() < window) {
                    inFlight.add(fetchBundle(bundles.get(next++)));
                }
                List<byte[]> entries;
                try {
                    entries = await(inFlight.removeFirst());
                } catch (BundleFormatException e) {
                    throw new LogVerificationException(LogVerificationException.Kind.ENTRIES_MISMATCH,
                            e.getCause().getMessage(), null, null, e.getCause());
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
        } finally {
            inFlight.forEach(f -> f.cancel(true));
        }
    }

    /**
     * Proves that {@code older} is a prefix of {@code newer} (sizes in either order of arrival). Returns the proof
     * checked against both signed roots, or throws: {@link LogVerificationException.Kind#FORK} when signed roots
     * conflict, {@code TILES_MISMATCH} when the tiles do not even reproduce the newer root, and
     * {@code STALE_CHECKPOINT} when {@code newer} is smaller but consistent.
     */
    public ConsistencyProof proveConsistency(SignedCheckpoint older, SignedCheckpoint newer)
            throws FetchException, LogVerificationException {
        long m = older.size();
        long n = newer.size();
        if (m > n) {
            proveFromTiles(newer, older);
            throw new LogVerificationException(LogVerificationException.Kind.STALE_CHECKPOINT,
                    "server's checkpoint has size " + n + ", smaller than the verified size " + m
                            + " (it is a consistent prefix, so it is stale, not forked)",
                    m, n, null);
        }
        return proveFromTiles(older, newer);
    }

    private ConsistencyProof proveFromTiles(SignedCheckpoint small, SignedCheckpoint large)
            throws FetchException, LogVerificationException {
        long m = small.size();
        long n = large.size();
        Hash oldRoot = small.checkpoint().root();
        Hash newRoot = large.checkpoint().root();
        ConsistencyProof proof;
        try {
            proof = (m == 0 || m == n) ? new ConsistencyProof(m, n, List.of())
                    : new TiledTree(client, n).proofs().consistencyProof(m);
        } catch (NodeUnavailableException e) {
            throw unavailable(e, n);
        }
        try {
            MerkleVerifier.verifyPrefix(m, n, oldRoot, newRoot, proof.path());
            return proof;
        } catch (ProofException e) {
            boolean fork = m == n || m == 0 || e.kind() == ProofException.Kind.OLD_ROOT_MISMATCH;
            if (fork) {
                throw new LogVerificationException(LogVerificationException.Kind.FORK,
                        "checkpoints of size " + m + " and " + n + " are inconsistent: " + e.getMessage(),
                        e.expected().orElse(null), e.found().orElse(null), e);
            }
            throw new LogVerificationException(LogVerificationException.Kind.TILES_MISMATCH,
                    "tiles served for size " + n + " do not reproduce its signed root: " + e.getMessage(),
                    e.expected().orElse(null), e.found().orElse(null), e);
        }
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

    /**
     * A bundle's entries. A partial bundle the log no longer serves (tlog-tiles allows deleting it once the full
     * one exists) is read from the full bundle, whose first entries are the same.
     */
    private CompletableFuture<List<byte[]>> fetchBundle(EntryBundleId bundle) {
        return client.readAsync(bundle).thenApply(data -> parseBundle(bundle, data))
                .exceptionallyCompose(e -> {
                    Throwable cause = e instanceof java.util.concurrent.CompletionException ? e.getCause() : e;
                    if (bundle.isPartial() && cause instanceof FetchException f && f.kind() == FetchException.Kind.NOT_FOUND) {
                        return client.readAsync(bundle.full())
                                .thenApply(data -> parseBundle(bundle.full(), data).subList(0, bundle.width()))
                                .exceptionallyCompose(ignored -> CompletableFuture.failedFuture(cause));
                    }
                    return CompletableFuture.failedFuture(cause);
                });
    }

    private static List<byte[]> parseBundle(EntryBundleId served, byte[] data) {
        try {
            return EntryBundles.parse(served, data);
        } catch (TileFormatException e) {
            throw new BundleFormatException(e);
        }
    }

    /** Carries a malformed bundle through the futures; reported as ENTRIES_MISMATCH. */
    private static final class BundleFormatException extends RuntimeException {
        BundleFormatException(TileFormatException cause) {
            super(cause);
        }
    }

    private static List<byte[]> await(CompletableFuture<List<byte[]>> future) throws FetchException, InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof FetchException f) {
                throw f;
            }
            if (e.getCause() instanceof BundleFormatException b) {
                throw b;
            }
            throw new FetchException(FetchException.Kind.NETWORK, "bundle", -1, 1, String.valueOf(e.getCause()), e.getCause());
        }
    }
}
