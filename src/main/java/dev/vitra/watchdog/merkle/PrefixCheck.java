package dev.vitra.watchdog.merkle;

/**
 * Is a smaller signed tree a prefix of a larger one? Decided from the larger tree's nodes alone (its tiles, or
 * a local copy of them), never from the smaller root: the nodes give A′, the size-m root the larger tree
 * commits to, and a consistency proof from (m, A′) to (n, B). Only when that proof reaches the signed root B
 * do the nodes count; then A′ = A means consistent and A′ ≠ A is a fork, whatever m is (in particular when m is
 * a power of two, where RFC 9162's verifier would otherwise start from A and the proof could never show A′).
 * Pure: the node source is the only input that may do I/O.
 */
public final class PrefixCheck {
    private PrefixCheck() {
    }

    /** What the larger tree's nodes show about the smaller tree. */
    public sealed interface Result {
        /** The smaller tree is a prefix of the larger one; {@code proof} verifies from (m, A) to (n, B). */
        record Consistent(ConsistencyProof proof) implements Result {
        }

        /**
         * The larger tree commits to {@code prefixRoot} at size m, which is not the smaller tree's root, and
         * {@code proof} verifies from (m, prefixRoot) to (n, B): two signed trees that cannot both be true.
         */
        record Inconsistent(Hash prefixRoot, ConsistencyProof proof) implements Result {
        }

        /** The nodes do not lead to the larger tree's signed root: they prove nothing either way. */
        record NodesDoNotMatch(ProofException failure) implements Result {
        }
    }

    /**
     * Compares the tree of {@code smallSize} leaves and root {@code smallRoot} with the tree of {@code largeSize}
     * leaves and root {@code largeRoot}, whose perfect subtrees {@code largeTree} supplies.
     *
     * @throws IllegalArgumentException when {@code smallSize > largeSize} or a size is negative: order by size first
     */
    public static Result check(long smallSize, Hash smallRoot, long largeSize, Hash largeRoot, NodeSource largeTree)
            throws NodeUnavailableException {
        if (smallSize < 0 || smallSize > largeSize) {
            throw new IllegalArgumentException("order the trees by size: got " + smallSize + " and " + largeSize);
        }
        if (smallSize == largeSize) {
            ConsistencyProof empty = new ConsistencyProof(smallSize, largeSize, java.util.List.of());
            return smallRoot.equals(largeRoot) ? new Result.Consistent(empty) : new Result.Inconsistent(largeRoot, empty);
        }
        if (smallSize == 0) {
            // The empty tree is a prefix of every tree; a size-0 tree signed with another root is inconsistent
            // with all of them (C2SP tlog-witness semantics, see MerkleVerifier.verifyPrefix).
            ConsistencyProof empty = new ConsistencyProof(0, largeSize, java.util.List.of());
            return smallRoot.equals(TreeHasher.EMPTY_ROOT) ? new Result.Consistent(empty)
                    : new Result.Inconsistent(TreeHasher.EMPTY_ROOT, empty);
        }
        Hash prefixRoot = new ProofBuilder(largeTree, smallSize).root();
        ConsistencyProof proof = new ProofBuilder(largeTree, largeSize).consistencyProof(smallSize);
        try {
            MerkleVerifier.verifyConsistency(proof, prefixRoot, largeRoot);
        } catch (ProofException e) {
            return new Result.NodesDoNotMatch(e);
        }
        return prefixRoot.equals(smallRoot) ? new Result.Consistent(proof) : new Result.Inconsistent(prefixRoot, proof);
    }
}
