package dev.vitra.watchdog.merkle;

import java.util.List;

/**
 * Verification of RFC 9162 inclusion and consistency proofs (sections 2.1.3.2 and 2.1.4.2). Pure: no I/O.
 *
 * <p>Edge-case policy, decided here and nowhere else:
 * <ul>
 *   <li>Inclusion: the tree must be non-empty and {@code index < treeSize}; the proof length must be exactly
 *       the audit path length for that index and size.</li>
 *   <li>Consistency between equal sizes: the proof must be empty and the roots equal.</li>
 *   <li>Consistency from size 0: RFC 9162 defines no proof from the empty tree, so {@link #verifyConsistency}
 *       rejects it, matching transparency-dev/merkle. Whether an empty tree is a prefix of another is a
 *       different question with a trivial answer; {@link #verifyPrefix} answers it (the old root must be the
 *       empty-tree root and the proof empty). Code that compares checkpoints calls {@link #verifyPrefix}.</li>
 * </ul>
 */
public final class MerkleVerifier {
    private MerkleVerifier() {
    }

    /** Verifies that {@code leafHash} is leaf {@code index} of the tree with {@code root}. */
    public static void verifyInclusion(long index, long treeSize, Hash leafHash, List<Hash> proof, Hash root)
            throws ProofException {
        Hash computed = rootFromInclusionProof(index, treeSize, leafHash, proof);
        if (!computed.equals(root)) {
            throw new ProofException(ProofException.Kind.ROOT_MISMATCH,
                    "inclusion proof for index " + index + " in tree of size " + treeSize + " leads to another root",
                    root, computed);
        }
    }

    public static void verifyInclusion(InclusionProof proof, Hash leafHash, Hash root) throws ProofException {
        verifyInclusion(proof.index(), proof.treeSize(), leafHash, proof.path(), root);
    }

    /** Computes the root that an inclusion proof implies, after checking index, size and proof length. */
    public static Hash rootFromInclusionProof(long index, long treeSize, Hash leafHash, List<Hash> proof)
            throws ProofException {
        if (treeSize <= 0 || index < 0 || index >= treeSize) {
            throw new ProofException(ProofException.Kind.INDEX_OUT_OF_RANGE,
                    "leaf index " + index + " is not in a tree of size " + treeSize, null, null);
        }
        int expectedLength = ProofShape.inclusionLength(index, treeSize);
        if (proof.size() != expectedLength) {
            throw new ProofException(ProofException.Kind.WRONG_PROOF_LENGTH,
                    "inclusion proof for index " + index + " in tree of size " + treeSize + " has the wrong length",
                    expectedLength, proof.size());
        }
        TreeHasher hasher = TreeHasher.get();
        long fn = index;
        long sn = treeSize - 1;
        Hash r = leafHash;
        for (Hash p : proof) {
            if ((fn & 1) == 1 || fn == sn) {
                r = hasher.nodeHash(p, r);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                r = hasher.nodeHash(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return r;
    }

    /**
     * Verifies that the tree of {@code oldSize} with {@code oldRoot} is a prefix of the tree of {@code newSize}
     * with {@code newRoot}. Requires {@code 0 < oldSize <= newSize}.
     */
    public static void verifyConsistency(long oldSize, long newSize, Hash oldRoot, Hash newRoot, List<Hash> proof)
            throws ProofException {
        if (oldSize <= 0 || oldSize > newSize) {
            throw new ProofException(ProofException.Kind.SIZES_OUT_OF_ORDER,
                    "consistency needs 0 < old size <= new size, got " + oldSize + " and " + newSize, null, null);
        }
        if (oldSize == newSize) {
            if (!proof.isEmpty()) {
                throw new ProofException(ProofException.Kind.WRONG_PROOF_LENGTH,
                        "consistency proof between equal sizes must be empty", 0, proof.size());
            }
            if (!oldRoot.equals(newRoot)) {
                throw new ProofException(ProofException.Kind.ROOT_MISMATCH,
                        "two trees of size " + oldSize + " have different roots", oldRoot, newRoot);
            }
            return;
        }
        int expectedLength = ProofShape.consistencyLength(oldSize, newSize);
        if (proof.size() != expectedLength) {
            throw new ProofException(ProofException.Kind.WRONG_PROOF_LENGTH,
                    "consistency proof from size " + oldSize + " to " + newSize + " has the wrong length",
                    expectedLength, proof.size());
        }
        TreeHasher hasher = TreeHasher.get();
        int start = 0;
        Hash fr;
        Hash sr;
        if (Subtrees.isPowerOfTwo(oldSize)) {
            // The old root is itself the first node of the path; RFC 9162 prepends it.
            fr = oldRoot;
            sr = oldRoot;
        } else {
            fr = proof.get(0);
            sr = proof.get(0);
            start = 1;
        }
        long fn = oldSize - 1;
        long sn = newSize - 1;
        while ((fn & 1) == 1) {
            fn >>= 1;
            sn >>= 1;
        }
        for (int i = start; i < proof.size(); i++) {
            Hash c = proof.get(i);
            if (sn == 0) {
                throw new ProofException(ProofException.Kind.WRONG_PROOF_LENGTH,
                        "consistency proof from size " + oldSize + " to " + newSize + " is too long", i, proof.size());
            }
            if ((fn & 1) == 1 || fn == sn) {
                fr = hasher.nodeHash(c, fr);
                sr = hasher.nodeHash(c, sr);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                sr = hasher.nodeHash(sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        if (sn != 0) {
            throw new ProofException(ProofException.Kind.WRONG_PROOF_LENGTH,
                    "consistency proof from size " + oldSize + " to " + newSize + " is too short", expectedLength,
                    proof.size());
        }
        if (!sr.equals(newRoot)) {
            throw new ProofException(ProofException.Kind.ROOT_MISMATCH,
                    "consistency proof from size " + oldSize + " to " + newSize + " leads to another new root",
                    newRoot, sr);
        }
        if (!fr.equals(oldRoot)) {
            throw new ProofException(ProofException.Kind.OLD_ROOT_MISMATCH,
                    "consistency proof from size " + oldSize + " to " + newSize
                            + " shows the new tree's prefix of size " + oldSize + " has another root",
                    oldRoot, fr);
        }
    }

    public static void verifyConsistency(ConsistencyProof proof, Hash oldRoot, Hash newRoot) throws ProofException {
        verifyConsistency(proof.oldSize(), proof.newSize(), oldRoot, newRoot, proof.path());
    }

    /**
     * Is the old tree a prefix of the new one? Like {@link #verifyConsistency} but also accepts
     * {@code oldSize == 0}: the empty tree is a prefix of every tree, provided its root really is the
     * empty-tree root and no proof is given (C2SP tlog-witness semantics).
     */
    public static void verifyPrefix(long oldSize, long newSize, Hash oldRoot, Hash newRoot, List<Hash> proof)
            throws ProofException {
        if (oldSize == 0 && newSize >= 0) {
            if (!oldRoot.equals(TreeHasher.EMPTY_ROOT)) {
                throw new ProofException(ProofException.Kind.OLD_ROOT_MISMATCH,
                        "a tree of size 0 must have the empty-tree root", TreeHasher.EMPTY_ROOT, oldRoot);
            }
            if (!proof.isEmpty()) {
                throw new ProofException(ProofException.Kind.WRONG_PROOF_LENGTH,
                        "a proof from the empty tree must be empty", 0, proof.size());
            }
            if (newSize == 0 && !newRoot.equals(TreeHasher.EMPTY_ROOT)) {
                throw new ProofException(ProofException.Kind.ROOT_MISMATCH,
                        "a tree of size 0 must have the empty-tree root", TreeHasher.EMPTY_ROOT, newRoot);
            }
            return;
        }
        verifyConsistency(oldSize, newSize, oldRoot, newRoot, proof);
    }
}
