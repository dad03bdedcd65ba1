package dev.vitra.watchdog.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MerkleVerifierEdgeCasesTest {
    private static InMemoryTree tree(int n) {
        InMemoryTree t = new InMemoryTree();
        for (int i = 0; i < n; i++) {
            t.appendEntry(("e" + i).getBytes(StandardCharsets.UTF_8));
        }
        return t;
    }

    private static Hash leaf(int i) {
        return new TreeHasher().leafHash(("e" + i).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void hashesMustBeExactly32Bytes() {
        assertThatThrownBy(() -> new Hash(new byte[0])).hasMessageContaining("32 bytes, got 0");
        assertThatThrownBy(() -> new Hash(new byte[31])).hasMessageContaining("got 31");
        assertThatThrownBy(() -> new Hash(new byte[33])).hasMessageContaining("got 33");
    }

    @Test
    void emptyTreeRootIsSha256OfNothing() {
        assertThat(TreeHasher.EMPTY_ROOT.toHex()).isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    @Test
    void inclusionRejectsIndexAtOrBeyondSizeAndEmptyTrees() throws Exception {
        InMemoryTree t = tree(8);
        Hash root = t.at(8).root();
        assertThatThrownBy(() -> MerkleVerifier.verifyInclusion(8, 8, leaf(0), List.of(), root))
                .isInstanceOfSatisfying(ProofException.class, e -> assertThat(e.kind()).isEqualTo(ProofException.Kind.INDEX_OUT_OF_RANGE));
        assertThatThrownBy(() -> MerkleVerifier.verifyInclusion(0, 0, leaf(0), List.of(), root))
                .isInstanceOfSatisfying(ProofException.class, e -> assertThat(e.kind()).isEqualTo(ProofException.Kind.INDEX_OUT_OF_RANGE));
        assertThatThrownBy(() -> MerkleVerifier.verifyInclusion(-1, 8, leaf(0), List.of(), root))
                .isInstanceOf(ProofException.class);
    }

    @Test
    void inclusionRejectsProofsOfTheWrongLengthNamingBothLengths() throws Exception {
        InMemoryTree t = tree(8);
        InclusionProof proof = t.at(8).inclusionProof(3);
        List<Hash> longer = new ArrayList<>(proof.path());
        longer.add(leaf(0));
        Hash root = t.at(8).root();
        assertThatThrownBy(() -> MerkleVerifier.verifyInclusion(3, 8, leaf(3), longer, root))
                .isInstanceOfSatisfying(ProofException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ProofException.Kind.WRONG_PROOF_LENGTH);
                    assertThat(e.expected()).contains("3");
                    assertThat(e.found()).contains("4");
                });
        assertThatThrownBy(() -> MerkleVerifier.verifyInclusion(3, 8, leaf(3), proof.path().subList(0, 2), root))
                .isInstanceOfSatisfying(ProofException.class, e -> assertThat(e.kind()).isEqualTo(ProofException.Kind.WRONG_PROOF_LENGTH));
    }

    @Test
    void inclusionMismatchReportsExpectedAndComputedRoots() throws Exception {
        InMemoryTree t = tree(5);
        InclusionProof proof = t.at(5).inclusionProof(4);
        Hash root = t.at(5).root();
        assertThatThrownBy(() -> MerkleVerifier.verifyInclusion(proof, leaf(3), root))
                .isInstanceOfSatisfying(ProofException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ProofException.Kind.ROOT_MISMATCH);
                    assertThat(e.expected()).contains(root.toString());
                    assertThat(e.found()).isPresent();
                });
    }

    @Test
    void singleLeafTreeHasEmptyInclusionProofAndLeafHashAsRoot() throws Exception {
        InMemoryTree t = tree(1);
        assertThat(t.at(1).root()).isEqualTo(leaf(0));
        MerkleVerifier.verifyInclusion(0, 1, leaf(0), List.of(), leaf(0));
    }

    @Test
    void consistencyBetweenEqualSizesNeedsEmptyProofAndEqualRoots() throws Exception {
        InMemoryTree t = tree(9);
        Hash r = t.at(9).root();
        MerkleVerifier.verifyConsistency(9, 9, r, r, List.of());
        assertThatThrownBy(() -> MerkleVerifier.verifyConsistency(9, 9, r, r, List.of(r)))
                .isInstanceOfSatisfying(ProofException.class, e -> assertThat(e.kind()).isEqualTo(ProofException.Kind.WRONG_PROOF_LENGTH));
        Hash r8 = t.at(8).root();
        assertThatThrownBy(() -> MerkleVerifier.verifyConsistency(9, 9, r, r8, List.of()))
                .isInstanceOfSatisfying(ProofException.class, e -> assertThat(e.kind()).isEqualTo(ProofException.Kind.ROOT_MISMATCH));
    }

    @Test
    void consistencyFromSizeZeroIsRejectedButEmptyTreeIsAPrefixOfEveryTree() throws Exception {
        InMemoryTree t = tree(4);
        Hash r = t.at(4).root();
        assertThatThrownBy(() -> MerkleVerifier.verifyConsistency(0, 4, TreeHasher.EMPTY_ROOT, r, List.of()))
                .isInstanceOfSatisfying(ProofException.class, e -> assertThat(e.kind()).isEqualTo(ProofException.Kind.SIZES_OUT_OF_ORDER));
        MerkleVerifier.verifyPrefix(0, 4, TreeHasher.EMPTY_ROOT, r, List.of());
        MerkleVerifier.verifyPrefix(0, 0, TreeHasher.EMPTY_ROOT, TreeHasher.EMPTY_ROOT, List.of());
        assertThatThrownBy(() -> MerkleVerifier.verifyPrefix(0, 4, r, r, List.of()))
                .isInstanceOfSatisfying(ProofException.class, e -> assertThat(e.kind()).isEqualTo(ProofException.Kind.OLD_ROOT_MISMATCH));
        assertThatThrownBy(() -> MerkleVerifier.verifyPrefix(0, 4, TreeHasher.EMPTY_ROOT, r, List.of(r)))
                .isInstanceOfSatisfying(ProofException.class, e -> assertThat(e.kind()).isEqualTo(ProofException.Kind.WRONG_PROOF_LENGTH));
    }

    @Test
    void consistencyRejectsOldSizeLargerThanNewSize() {
        Hash r = leaf(0);
        assertThatThrownBy(() -> MerkleVerifier.verifyConsistency(5, 4, r, r, List.of()))
                .isInstanceOfSatisfying(ProofException.class, e -> assertThat(e.kind()).isEqualTo(ProofException.Kind.SIZES_OUT_OF_ORDER));
    }

    @Test
    void consistencyAcrossPowerOfTwoBoundariesVerifies() throws Exception {
        InMemoryTree t = tree(1100);
        for (int[] pair : new int[][] {{1, 2}, {2, 4}, {4, 8}, {255, 256}, {256, 257}, {512, 1024}, {1023, 1025}, {1024, 1100}}) {
            ConsistencyProof p = t.at(pair[1]).consistencyProof(pair[0]);
            MerkleVerifier.verifyConsistency(p, t.at(pair[0]).root(), t.at(pair[1]).root());
        }
    }

    @Test
    void forkedPrefixIsReportedAsOldRootMismatch() throws Exception {
        InMemoryTree honest = tree(10);
        InMemoryTree forked = new InMemoryTree();
        for (int i = 0; i < 10; i++) {
            forked.appendEntry(("e" + (i == 2 ? 99 : i)).getBytes(StandardCharsets.UTF_8));
        }
        ConsistencyProof p = honest.at(10).consistencyProof(6);
        Hash forkedRoot = forked.at(6).root();
        Hash honestRoot = honest.at(10).root();
        assertThatThrownBy(() -> MerkleVerifier.verifyConsistency(p, forkedRoot, honestRoot))
                .isInstanceOfSatisfying(ProofException.class, e -> assertThat(e.kind()).isEqualTo(ProofException.Kind.OLD_ROOT_MISMATCH));
    }
}
