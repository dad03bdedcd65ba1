package dev.vitra.watchdog.tiles;

import dev.vitra.watchdog.merkle.Hash;
import dev.vitra.watchdog.merkle.NodeUnavailableException;
import dev.vitra.watchdog.merkle.RootAccumulator;
import dev.vitra.watchdog.merkle.TreeHasher;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Grows a tree's hash tiles leaf by leaf: hands each tile to a sink the moment it is full, keeps the partial
 * tile of every level, and the root. The tile writer uses it to publish a log; the audit uses it to keep its
 * own copy of every tree it verified. Pure: the sink and the source it resumes from do the I/O.
 */
public final class TileTreeBuilder {
    /** Receives each hash tile as soon as it holds 256 hashes. */
    @FunctionalInterface
    public interface FullTileSink {
        void accept(HashTileId tile, List<Hash> hashes) throws IOException;
    }

    private final TreeHasher hasher = new TreeHasher();
    private final RootAccumulator root;
    /** Per tile level: the hashes of the current, not yet full tile. */
    private final List<List<Hash>> pending = new ArrayList<>();
    private long size;

    private TileTreeBuilder(RootAccumulator root) {
        this.root = root;
        this.size = root.size();
    }

    public static TileTreeBuilder empty() {
        return new TileTreeBuilder(new RootAccumulator());
    }

    /**
     * Resumes at {@code size} from tiles that hold a tree of that size: the compact range comes from the full
     * tiles, the pending hashes from the partial ones. Nothing is verified here; compare {@link #root()} with
     * a signed root before trusting it.
     */
    public static TileTreeBuilder resume(TileSource tiles, long size) throws IOException, TileFormatException {
        RootAccumulator acc;
        try {
            acc = RootAccumulator.resume(new TiledTree(tiles, size), size);
        } catch (NodeUnavailableException e) {
            throw new IOException("tiles do not cover a tree of size " + size + ": " + e.getMessage(), e);
        }
        TileTreeBuilder builder = new TileTreeBuilder(acc);
        for (HashTileId partial : TileLayout.partialTiles(size)) {
            builder.pending(partial.level()).addAll(HashTiles.parse(partial, tiles.read(partial)));
        }
        return builder;
    }

    public long size() {
        return size;
    }

    public Hash root() {
        return root.root();
    }

    public void appendLeaf(Hash leaf, FullTileSink sink) throws IOException {
        root.appendLeafHash(leaf);
        size++;
        addHash(0, leaf, sink);
    }

    /** The partial tiles of the current size, one per level that has one, with their hashes. */
    public List<Tile> partialTiles() {
        List<Tile> out = new ArrayList<>();
        for (int level = 0; level < pending.size(); level++) {
            List<Hash> hashes = pending.get(level);
            if (!hashes.isEmpty()) {
                long index = TileLayout.hashesAtLevel(level, size) / TileResource.FULL_WIDTH;
                out.add(new Tile(new HashTileId(level, index, hashes.size()), List.copyOf(hashes)));
            }
        }
        return out;
    }

    /** A tile and its hashes. */
    public record Tile(HashTileId id, List<Hash> hashes) {
        public Tile {
            hashes = List.copyOf(hashes);
        }
    }

    private void addHash(int level, Hash hash, FullTileSink sink) throws IOException {
        List<Hash> hashes = pending(level);
        hashes.add(hash);
        if (hashes.size() == TileResource.FULL_WIDTH) {
            long index = TileLayout.hashesAtLevel(level + 1, size) - 1;
            sink.accept(new HashTileId(level, index, TileResource.FULL_WIDTH), List.copyOf(hashes));
            Hash tileRoot = perfectRoot(hashes);
            hashes.clear();
            addHash(level + 1, tileRoot, sink);
        }
    }

    private List<Hash> pending(int level) {
        while (pending.size() <= level) {
            pending.add(new ArrayList<>());
        }
        return pending.get(level);
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
