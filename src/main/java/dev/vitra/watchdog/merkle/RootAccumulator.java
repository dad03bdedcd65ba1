package dev.vitra.watchdog.merkle;

import java.util.ArrayList;
import java.util.List;

/**
 * Computes the root of a tree over a stream of leaves in O(log n) memory: it keeps the compact range
 * {@code [0, size)}, one perfect-subtree hash per set bit of the size, largest first.
 */
public final class RootAccumulator {
    private final TreeHasher hasher = new TreeHasher();
    private final List<Hash> nodes = new ArrayList<>();
    private final List<Integer> levels = new ArrayList<>();
    private long size;

    public RootAccumulator() {
    }

    /** Resumes at {@code size} from the perfect subtrees of {@code [0, size)}, read from {@code source}. */
    public static RootAccumulator resume(NodeSource source, long size) throws NodeUnavailableException {
        RootAccumulator acc = new RootAccumulator();
        long start = 0;
        for (int level = 63; level >= 0; level--) {
            if ((size & (1L << level)) != 0) {
                acc.nodes.add(source.perfectNode(level, start >>> level));
                acc.levels.add(level);
                start += 1L << level;
            }
        }
        acc.size = size;
        return acc;
    }

    public long size() {
        return size;
    }

    public void appendEntry(byte[] entry) {
        appendLeafHash(hasher.leafHash(entry));
    }

    public void appendLeafHash(Hash leafHash) {
        Hash node = leafHash;
        int level = 0;
        int last = nodes.size() - 1;
        while (last >= 0 && levels.get(last) == level) {
            node = hasher.nodeHash(nodes.remove(last), node);
            levels.remove(last);
            level++;
            last--;
        }
        nodes.add(node);
        levels.add(level);
        size++;
    }

    public Hash root() {
        if (nodes.isEmpty()) {
            return TreeHasher.EMPTY_ROOT;
        }
        Hash r = nodes.get(nodes.size() - 1);
        for (int i = nodes.size() - 2; i >= 0; i--) {
            r = hasher.nodeHash(nodes.get(i), r);
        }
        return r;
    }
}
