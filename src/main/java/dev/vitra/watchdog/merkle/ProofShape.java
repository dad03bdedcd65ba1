package dev.vitra.watchdog.merkle;

/**
 * How many hashes a correct proof has. Walks the same recursion as {@link ProofBuilder} without hashing, so
 * a verifier can reject a proof of the wrong length with a precise message before doing any work.
 */
public final class ProofShape {
    private ProofShape() {
    }

    public static int inclusionLength(long index, long treeSize) {
        if (treeSize <= 0 || index < 0 || index >= treeSize) {
            throw new IllegalArgumentException("index " + index + " not in tree of size " + treeSize);
        }
        int length = 0;
        long lo = 0;
        long hi = treeSize;
        while (hi - lo > 1) {
            long k = Subtrees.splitPoint(hi - lo);
            if (index < lo + k) {
                hi = lo + k;
            } else {
                lo = lo + k;
            }
            length++;
        }
        return length;
    }

    public static int consistencyLength(long oldSize, long newSize) {
        if (oldSize <= 0 || oldSize > newSize) {
            throw new IllegalArgumentException("need 0 < old size <= new size, got " + oldSize + ", " + newSize);
        }
        if (oldSize == newSize) {
            return 0;
        }
        int length = 0;
        long m = oldSize;
        long size = newSize;
        boolean complete = true;
        while (m != size) {
            long k = Subtrees.splitPoint(size);
            if (m <= k) {
                size = k;
            } else {
                m -= k;
                size -= k;
                complete = false;
            }
            length++;
        }
        return complete ? length : length + 1;
    }
}
