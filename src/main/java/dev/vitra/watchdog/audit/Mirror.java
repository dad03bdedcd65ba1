package dev.vitra.watchdog.audit;

import dev.vitra.watchdog.merkle.Hash;
import dev.vitra.watchdog.merkle.NodeUnavailableException;
import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.store.StoreSession;
import dev.vitra.watchdog.tiles.HashTileId;
import dev.vitra.watchdog.tiles.HashTiles;
import dev.vitra.watchdog.tiles.TileFormatException;
import dev.vitra.watchdog.tiles.TileLayout;
import dev.vitra.watchdog.tiles.TileResource;
import dev.vitra.watchdog.tiles.TileSource;
import dev.vitra.watchdog.tiles.TileTreeBuilder;
import dev.vitra.watchdog.tiles.TiledTree;
import dev.vitra.watchdog.tileclient.FetchException;
import dev.vitra.watchdog.tileclient.TileClient;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The watchdog's own copy of a log's verified tree, as hash tiles in the store (the way Go's sumdb client keeps
 * the tiles it has checked). Proofs about any checkpoint verified before — a rollback's prefix, a fork's
 * evidence, an inclusion proof — are built from here, never from what a server chooses to serve later. Entries
 * read from a server are checked against its leaf hashes.
 */
final class Mirror implements TileSource {
    private final StoreSession session;
    private final long dbId;
    private final LogId log;

    Mirror(StoreSession session, long dbId, LogId log) {
        this.session = session;
        this.dbId = dbId;
        this.log = log;
    }

    /** A stored tile, cut to the width asked for (a partial tile grows in place). */
    @Override
    public byte[] read(TileResource resource) throws IOException {
        if (!(resource instanceof HashTileId tile)) {
            throw new IOException("the mirror keeps hashes, not " + resource.path());
        }
        byte[] stored = session.tile(dbId, log, tile.level(), tile.index())
                .orElseThrow(() -> new IOException("the mirror of " + log + " has no " + tile.path()));
        if (stored.length < tile.byteLength()) {
            throw new IOException("the mirror of " + log + " holds " + stored.length / 32 + " hashes of " + tile.path());
        }
        return stored.length == tile.byteLength() ? stored : Arrays.copyOf(stored, tile.byteLength());
    }

    /** The verified tree of {@code size} leaves, as perfect-subtree hashes. */
    TiledTree tree(long size) {
        return new TiledTree(this, size);
    }

    /** Leaf hash {@code index} of the verified tree of {@code size} (through {@code tree}'s tile cache). */
    static Hash leafHash(TiledTree tree, long index) throws NodeUnavailableException {
        HashTileId tile = TileLayout.hashTile(0, index / TileResource.FULL_WIDTH, tree.treeSize());
        return tree.tile(tile).get((int) (index % TileResource.FULL_WIDTH));
    }

    /** The result of growing the mirror from size m to n with a server's level-0 tiles. */
    sealed interface Growth {
        /** The tiles led to this root (equal to the signed one, or not). */
        record Grown(Hash root) implements Growth {
        }

        /** The server's tiles disagree with leaves already verified (below m): a fork or corrupt tiles. */
        record Diverged(long index) implements Growth {
        }

        /** A level-0 tile is not part of the signed tree (its subtree's inclusion proof fails): corrupt tiles. */
        record BadTile(String path, String problem) implements Growth {
        }
    }

    /**
     * Appends leaves {@code [m, n)} from the server's level-0 tiles of the size-n tree whose signed root is
     * {@code root}, writing the new tiles to the session (uncommitted: the caller commits only if the root comes out
     * as the signed one). Fetches ahead in parallel; checks each full tile top-down as it arrives (its subtree hash
     * and an inclusion proof from the server's higher tiles must lead to the signed root), so tiles that are not the
     * signed tree's are refused at the first one, not after the whole claimed tree was downloaded.
     */
    Growth grow(TileClient client, long m, long n, Hash root, java.util.function.LongConsumer progress)
            throws IOException, TileFormatException, InterruptedException {
        TileTreeBuilder builder = m == 0 ? TileTreeBuilder.empty() : TileTreeBuilder.resume(this, m);
        List<Hash> existing = m % TileResource.FULL_WIDTH == 0 ? List.of()
                : HashTiles.parse(TileLayout.hashTile(0, m / TileResource.FULL_WIDTH, m),
                        read(TileLayout.hashTile(0, m / TileResource.FULL_WIDTH, m)));
        long firstTile = m / TileResource.FULL_WIDTH;
        long lastTile = (n - 1) / TileResource.FULL_WIDTH;
        var served = new TiledTree(client, n).proofs();
        long subtrees = (n + TileResource.FULL_WIDTH - 1) / TileResource.FULL_WIDTH;
        dev.vitra.watchdog.merkle.TreeHasher hasher = new dev.vitra.watchdog.merkle.TreeHasher();
        long lastProgress = System.nanoTime();
        int window = Math.max(2, 2 * client.parallelism());
        Deque<CompletableFuture<byte[]>> inFlight = new ArrayDeque<>();
        long next = firstTile;
        try {
            for (long t = firstTile; t <= lastTile; t++) {
                while (next <= lastTile && inFlight.size() < window) {
                    inFlight.add(client.readAsync(TileLayout.hashTile(0, next++, n)));
                }
                HashTileId id = TileLayout.hashTile(0, t, n);
                byte[] data;
                try {
                    data = await(inFlight.removeFirst());
                } catch (FetchException e) {
                    if (!id.isPartial() || e.kind() != FetchException.Kind.NOT_FOUND) {
                        throw e;
                    }
                    // The log grew since its checkpoint and dropped the partial tile: the full one starts the same.
                    data = Arrays.copyOf(client.read(id.full()), id.byteLength());
                }
                List<Hash> hashes = HashTiles.parse(id, data);
                if (!id.isPartial()) {
                    try {
                        dev.vitra.watchdog.merkle.MerkleVerifier.verifyInclusion(t, subtrees, perfectRoot(hashes, hasher),
                                served.subtreeInclusionPath(8, t), root);
                    } catch (dev.vitra.watchdog.merkle.ProofException e) {
                        return new Growth.BadTile(id.path(), "its hashes are not the signed tree's: " + e.getMessage());
                    } catch (NodeUnavailableException e) {
                        if (e.getCause() instanceof FetchException f) {
                            throw f;
                        }
                        return new Growth.BadTile(id.path(), "the higher tiles that place it are unusable: " + e.getMessage());
                    }
                }
                if (System.nanoTime() - lastProgress > 2_000_000_000L) {
                    lastProgress = System.nanoTime();
                    progress.accept(Math.min(n, (t + 1) * TileResource.FULL_WIDTH));
                }
                long first = t * TileResource.FULL_WIDTH;
                for (int i = 0; i < hashes.size(); i++) {
                    long index = first + i;
                    if (index < m) {
                        if (!hashes.get(i).equals(existing.get(i))) {
                            return new Growth.Diverged(index);
                        }
                        continue;
                    }
                    builder.appendLeaf(hashes.get(i), (tile, full) -> putTile(tile, full));
                }
            }
        } finally {
            inFlight.forEach(f -> f.cancel(true));
        }
        for (TileTreeBuilder.Tile partial : builder.partialTiles()) {
            putTile(partial.id(), partial.hashes());
        }
        return new Growth.Grown(builder.root());
    }

    private static Hash perfectRoot(List<Hash> hashes, dev.vitra.watchdog.merkle.TreeHasher hasher) {
        List<Hash> layer = hashes;
        while (layer.size() > 1) {
            List<Hash> up = new java.util.ArrayList<>(layer.size() / 2);
            for (int i = 0; i < layer.size(); i += 2) {
                up.add(hasher.nodeHash(layer.get(i), layer.get(i + 1)));
            }
            layer = up;
        }
        return layer.get(0);
    }

    private void putTile(HashTileId id, List<Hash> hashes) {
        session.putTile(dbId, log, id.level(), id.index(), HashTiles.format(hashes));
    }

    private static byte[] await(CompletableFuture<byte[]> future) throws FetchException, InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof FetchException f) {
                throw f;
            }
            throw new FetchException(FetchException.Kind.NETWORK, "tile", -1, 1, String.valueOf(e.getCause()), e.getCause());
        }
    }
}
