package dev.vitra.watchdog.tiles;

import dev.vitra.watchdog.merkle.Hash;
import dev.vitra.watchdog.merkle.NodeSource;
import dev.vitra.watchdog.merkle.NodeUnavailableException;
import dev.vitra.watchdog.merkle.ProofBuilder;
import dev.vitra.watchdog.merkle.TreeHasher;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The perfect-subtree hashes of a tree of a fixed size, read from its hash tiles. A node at Merkle level
 * {@code 8t + s} comes from tile level {@code t}: the {@code 2^s} tile hashes below it are hashed up
 * {@code s} levels. Tiles are fetched on demand and cached; nothing here is trusted until a proof built
 * from it verifies against a signed root.
 */
public final class TiledTree implements NodeSource {
    private static final int CACHE_TILES = 512;

    private final TileSource source;
    private final long treeSize;
    private final TreeHasher hasher = new TreeHasher();
    private final Map<HashTileId, List<Hash>> cache = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<HashTileId, List<Hash>> eldest) {
            return size() > CACHE_TILES;
        }
    };

    public TiledTree(TileSource source, long treeSize) {
        this.source = source;
        this.treeSize = treeSize;
    }

    public long treeSize() {
        return treeSize;
    }

    public ProofBuilder proofs() {
        return new ProofBuilder(this, treeSize);
    }

    @Override
    public Hash perfectNode(int level, long index) throws NodeUnavailableException {
        long first = index << level;
        if (level > 62 || index < 0 || (first >>> level) != index || first + (1L << level) > treeSize) {
            throw new NodeUnavailableException("node " + level + "/" + index + " is not a perfect subtree of a tree of size " + treeSize);
        }
        int tileLevel = level / 8;
        int sub = level % 8;
        long firstHash = index << sub;
        long tileIndex = firstHash / TileResource.FULL_WIDTH;
        int offset = (int) (firstHash % TileResource.FULL_WIDTH);
        List<Hash> hashes = tile(TileLayout.hashTile(tileLevel, tileIndex, treeSize));
        return hashUp(hashes, offset, 1 << sub);
    }

    /** The hashes of a tile as this tree has it; cached. */
    public synchronized List<Hash> tile(HashTileId id) throws NodeUnavailableException {
        List<Hash> cached = cache.get(id);
        if (cached != null) {
            return cached;
        }
        List<Hash> hashes;
        try {
            hashes = HashTiles.parse(id, source.read(id));
        } catch (IOException e) {
            if (!id.isPartial()) {
                throw new NodeUnavailableException("cannot read " + id.path() + ": " + e.getMessage(), e);
            }
            // tlog-tiles lets a log delete a partial tile once the full one exists: its first hashes are the same.
            try {
                hashes = HashTiles.parse(id.full(), source.read(id.full())).subList(0, id.width());
            } catch (IOException | TileFormatException fallback) {
                throw new NodeUnavailableException("cannot read " + id.path() + " (nor " + id.full().path() + "): "
                        + e.getMessage(), e);
            }
        } catch (TileFormatException e) {
            throw new NodeUnavailableException(e.getMessage(), e);
        }
        cache.put(id, hashes);
        return hashes;
    }

    private Hash hashUp(List<Hash> hashes, int offset, int count) {
        if (count == 1) {
            return hashes.get(offset);
        }
        int half = count / 2;
        return hasher.nodeHash(hashUp(hashes, offset, half), hashUp(hashes, offset + half, half));
    }
}
