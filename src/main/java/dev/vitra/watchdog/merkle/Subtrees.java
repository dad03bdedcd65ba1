package dev.vitra.watchdog.merkle;

/** Integer arithmetic on the shape of RFC 6962 trees. */
public final class Subtrees {
    private Subtrees() {
    }

    /** Largest power of two strictly smaller than {@code n}; {@code n} must be at least 2. */
    public static long splitPoint(long n) {
        if (n < 2) {
            throw new IllegalArgumentException("split point needs n >= 2, got " + n);
        }
        return Long.highestOneBit(n - 1);
    }

    public static boolean isPowerOfTwo(long n) {
        return n > 0 && (n & (n - 1)) == 0;
    }

    /** Number of leaves in the subtree of the given level that starts at index {@code index << level}, capped at the tree size. */
    public static long width(int level, long index, long treeSize) {
        long start = index << level;
        return Math.min(1L << level, treeSize - start);
    }
}
