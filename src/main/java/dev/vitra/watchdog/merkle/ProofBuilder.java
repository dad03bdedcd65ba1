package dev.vitra.watchdog.merkle;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds roots and RFC 9162 proofs for a tree of a fixed size from the perfect-subtree hashes a
 * {@link NodeSource} supplies. The recursion is the RFC's PATH and SUBPROOF, unrolled into loops; every range
 * it touches is a node of the tree, so right-edge nodes that are not perfect are hashed from perfect ones.
 */
public final class ProofBuilder {
    private final NodeSource source;
    private final long treeSize;
    private final TreeHasher hasher = new TreeHasher();
    /** Right-edge nodes that are not perfect, by start index: few per tree, but on every proof's path. */
    private final Map<Long, Hash> edgeNodes = new HashMap<>();

    public ProofBuilder(NodeSource source, long treeSize) {
        if (treeSize < 0) {
            throw new IllegalArgumentException("tree size must not be negative: " + treeSize);
        }
        this.source = source;
        this.treeSize = treeSize;
    }

    public long treeSize() {
        return treeSize;
    }

    public Hash root() throws NodeUnavailableException {
        return treeSize == 0 ? TreeHasher.EMPTY_ROOT : rangeHash(0, treeSize);
    }

    /**
     * Hash of the node covering leaves {@code [start, end)}: a perfect subtree aligned on its size, or a
     * right-edge node whose end is the tree size.
     */
    public Hash rangeHash(long start, long end) throws NodeUnavailableException {
        long width = end - start;
        if (width <= 0 || start < 0 || end > treeSize) {
            throw new IllegalArgumentException("[" + start + ", " + end + ") is not a range of a tree of size " + treeSize);
        }
        if (Subtrees.isPowerOfTwo(width)) {
            int level = Long.numberOfTrailingZeros(width);
            if ((start & (width - 1)) != 0) {
                throw new IllegalArgumentException("[" + start + ", " + end + ") is not aligned on its size");
            }
            return source.perfectNode(level, start >>> level);
        }
        if (end != treeSize) {
            throw new IllegalArgumentException("[" + start + ", " + end + ") is neither perfect nor on the right edge");
        }
        Hash cached = edgeNodes.get(start);
        if (cached == null) {
            long k = Subtrees.splitPoint(width);
            cached = hasher.nodeHash(rangeHash(start, start + k), rangeHash(start + k, end));
            edgeNodes.put(start, cached);
        }
        return cached;
    }

    public InclusionProof inclusionProof(long index) throws NodeUnavailableException {
        return new InclusionProof(index, treeSize, subtreeInclusionPath(0, index));
    }

    /**
     * Audit path of the node at {@code level} and {@code index} (leaves {@code [index << level, ...)}, cut at the
     * tree size). Verifies like an ordinary inclusion proof for leaf {@code index} of a tree with
     * {@code ceil(treeSize / 2^level)} leaves, because the levels above any level of an RFC 6962 tree form the
     * same shape.
     */
    public List<Hash> subtreeInclusionPath(int level, long index) throws NodeUnavailableException {
        long targetStart = index << level;
        if (index < 0 || targetStart >= treeSize || (targetStart >>> level) != index) {
            throw new IllegalArgumentException("node " + level + "/" + index + " is not in a tree of size " + treeSize);
        }
        long targetEnd = Math.min(targetStart + (1L << level), treeSize);
        List<Hash> topDown = new ArrayList<>();
        long lo = 0;
        long hi = treeSize;
        while (lo != targetStart || hi != targetEnd) {
            long k = Subtrees.splitPoint(hi - lo);
            if (targetStart < lo + k) {
                topDown.add(rangeHash(lo + k, hi));
                hi = lo + k;
            } else {
                topDown.add(rangeHash(lo, lo + k));
                lo = lo + k;
            }
        }
        Collections.reverse(topDown);
        return topDown;
    }

    /** Consistency proof from {@code oldSize} to this tree's size; {@code 0 < oldSize <= treeSize}. */
    public ConsistencyProof consistencyProof(long oldSize) throws NodeUnavailableException {
        if (oldSize <= 0 || oldSize > treeSize) {
            throw new IllegalArgumentException("consistency proof needs 0 < old size <= " + treeSize + ", got " + oldSize);
        }
        List<Hash> topDown = new ArrayList<>();
        long m = oldSize;
        long lo = 0;
        long hi = treeSize;
        boolean complete = true;
        while (m != hi - lo) {
            long k = Subtrees.splitPoint(hi - lo);
            if (m <= k) {
                topDown.add(rangeHash(lo + k, hi));
                hi = lo + k;
            } else {
                topDown.add(rangeHash(lo, lo + k));
                m -= k;
                lo = lo + k;
                complete = false;
            }
        }
        if (!complete) {
            topDown.add(rangeHash(lo, hi));
        }
        Collections.reverse(topDown);
        return new ConsistencyProof(oldSize, treeSize, topDown);
    }
}
