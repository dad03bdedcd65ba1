package dev.vitra.watchdog.merkle;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class MerkleProofProperties {
    private static final InMemoryTree TREE = new InMemoryTree();

    static {
        for (int i = 0; i < 5000; i++) {
            TREE.appendEntry(new byte[] {(byte) i, (byte) (i >> 8), 7});
        }
    }

    private static Hash leaf(long i) {
        return new TreeHasher().leafHash(new byte[] {(byte) i, (byte) (i >> 8), 7});
    }

    record SizeAndIndex(int size, int index) {
    }

    @Provide
    Arbitrary<SizeAndIndex> sizeAndIndex() {
        return Arbitraries.integers().between(1, 5000)
                .flatMap(n -> Arbitraries.integers().between(0, n - 1).map(i -> new SizeAndIndex(n, i)));
    }

    @Property(tries = 300)
    void everyInclusionProofVerifies(@ForAll("sizeAndIndex") SizeAndIndex c) throws Exception {
        ProofBuilder b = TREE.at(c.size());
        MerkleVerifier.verifyInclusion(b.inclusionProof(c.index()), leaf(c.index()), b.root());
    }

    @Property(tries = 300)
    void anyFlippedBitInAnInclusionProofIsRejected(@ForAll("sizeAndIndex") SizeAndIndex c,
            @ForAll @IntRange(min = 0, max = 1000) int which, @ForAll @IntRange(min = 0, max = 255) int bit) throws Exception {
        ProofBuilder b = TREE.at(c.size());
        List<Hash> path = new ArrayList<>(b.inclusionProof(c.index()).path());
        Hash root = b.root();
        if (path.isEmpty()) {
            byte[] r = root.bytes();
            r[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThatThrownBy(() -> MerkleVerifier.verifyInclusion(c.index(), c.size(), leaf(c.index()), path, new Hash(r)))
                    .isInstanceOf(ProofException.class);
            return;
        }
        int i = which % path.size();
        byte[] h = path.get(i).bytes();
        h[bit / 8] ^= (byte) (1 << (bit % 8));
        path.set(i, new Hash(h));
        assertThatThrownBy(() -> MerkleVerifier.verifyInclusion(c.index(), c.size(), leaf(c.index()), path, root))
                .isInstanceOf(ProofException.class);
    }

    /**
     * A proof binds the index and the root; it does not bind the size by itself (index 0 of size 3 and of size 4
     * have the same shape), so the size check is against the other tree's own root.
     */
    @Property(tries = 300)
    void inclusionProofForAnotherIndexOrAnotherTreeIsRejected(@ForAll("sizeAndIndex") SizeAndIndex c,
            @ForAll @IntRange(min = 1, max = 4999) int delta) throws Exception {
        ProofBuilder b = TREE.at(c.size());
        InclusionProof proof = b.inclusionProof(c.index());
        Hash root = b.root();
        long otherIndex = (c.index() + delta) % c.size();
        if (otherIndex != c.index()) {
            assertThatThrownBy(() -> MerkleVerifier.verifyInclusion(otherIndex, c.size(), leaf(c.index()), proof.path(), root))
                    .isInstanceOf(ProofException.class);
        }
        int otherSize = 1 + (c.size() - 1 + delta) % 5000;
        if (otherSize != c.size() && c.index() < otherSize) {
            Hash otherRoot = TREE.at(otherSize).root();
            assertThatThrownBy(() -> MerkleVerifier.verifyInclusion(c.index(), otherSize, leaf(c.index()), proof.path(), otherRoot))
                    .isInstanceOf(ProofException.class);
        }
    }

    record Sizes(int oldSize, int newSize) {
    }

    @Provide
    Arbitrary<Sizes> sizes() {
        return Arbitraries.integers().between(1, 5000)
                .flatMap(n -> Arbitraries.integers().between(1, n).map(m -> new Sizes(m, n)));
    }

    @Property(tries = 300)
    void everyConsistencyProofVerifies(@ForAll("sizes") Sizes s) throws Exception {
        MerkleVerifier.verifyConsistency(TREE.at(s.newSize()).consistencyProof(s.oldSize()),
                TREE.at(s.oldSize()).root(), TREE.at(s.newSize()).root());
    }

    @Property(tries = 300)
    void tamperedConsistencyProofsAreRejected(@ForAll("sizes") Sizes s, @ForAll @IntRange(min = 0, max = 1000) int which,
            @ForAll @IntRange(min = 0, max = 255) int bit, @ForAll @IntRange(min = 0, max = 2) int mutation) throws Exception {
        List<Hash> path = new ArrayList<>(TREE.at(s.newSize()).consistencyProof(s.oldSize()).path());
        Hash oldRoot = TREE.at(s.oldSize()).root();
        Hash newRoot = TREE.at(s.newSize()).root();
        switch (mutation) {
            case 0 -> {
                if (path.isEmpty()) {
                    path.add(newRoot);
                } else {
                    int i = which % path.size();
                    byte[] h = path.get(i).bytes();
                    h[bit / 8] ^= (byte) (1 << (bit % 8));
                    path.set(i, new Hash(h));
                }
            }
            case 1 -> path.add(which % (path.size() + 1), oldRoot);
            default -> {
                if (path.isEmpty()) {
                    path.add(oldRoot);
                } else {
                    path.remove(which % path.size());
                }
            }
        }
        assertThatThrownBy(() -> MerkleVerifier.verifyConsistency(s.oldSize(), s.newSize(), oldRoot, newRoot, path))
                .isInstanceOf(ProofException.class);
    }

    @Property(tries = 200)
    void proofBuiltFromStreamedRootsAgree(@ForAll @IntRange(min = 0, max = 5000) int n) throws Exception {
        RootAccumulator acc = RootAccumulator.resume(TREE, n);
        org.assertj.core.api.Assertions.assertThat(acc.root()).isEqualTo(TREE.at(n).root());
    }

}
