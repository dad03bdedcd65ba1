package dev.vitra.watchdog.merkle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Production roots and proofs equal the naive implementation's, and verify, for every small size and samples of large ones. */
class GeneratedVectorsTest {
    private static final int EXHAUSTIVE = 600;

    private static List<byte[]> entries(int n) {
        List<byte[]> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(("entry-" + i).getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    private static List<byte[]> raw(List<Hash> hashes) {
        return hashes.stream().map(Hash::bytes).toList();
    }

    private static void assertSameHashes(List<Hash> actual, List<byte[]> expected, String what) {
        assertThat(raw(actual)).as(what).usingElementComparator(java.util.Arrays::compare).containsExactlyElementsOf(expected);
    }

    @Test
    void rootsAndInclusionProofsMatchNaiveImplementationForEverySizeUpTo600() throws Exception {
        List<byte[]> all = entries(EXHAUSTIVE);
        NaiveMerkle naive = new NaiveMerkle(all);
        InMemoryTree tree = InMemoryTree.ofEntries(all);
        RootAccumulator acc = new RootAccumulator();
        assertThat(acc.root()).isEqualTo(new Hash(naive.mth(0, 0)));
        for (int n = 1; n <= EXHAUSTIVE; n++) {
            acc.appendEntry(all.get(n - 1));
            Hash expectedRoot = new Hash(naive.mth(0, n));
            ProofBuilder builder = tree.at(n);
            assertThat(builder.root()).as("root of size %d", n).isEqualTo(expectedRoot);
            assertThat(acc.root()).as("streamed root of size %d", n).isEqualTo(expectedRoot);
            for (int m = 0; m < n; m++) {
                InclusionProof proof = builder.inclusionProof(m);
                assertSameHashes(proof.path(), naive.path(m, 0, n), "inclusion " + m + " in " + n);
                MerkleVerifier.verifyInclusion(proof, new Hash(naive.mth(m, m + 1)), expectedRoot);
            }
        }
    }

    @Test
    void consistencyProofsMatchNaiveImplementationForAllPairsUpTo160AndSampledPairsUpTo600() throws Exception {
        List<byte[]> all = entries(EXHAUSTIVE);
        NaiveMerkle naive = new NaiveMerkle(all);
        InMemoryTree tree = InMemoryTree.ofEntries(all);
        SplittableRandom random = new SplittableRandom(1);
        for (int n = 1; n <= EXHAUSTIVE; n++) {
            List<Integer> olds = new ArrayList<>();
            if (n <= 160) {
                for (int m = 1; m <= n; m++) {
                    olds.add(m);
                }
            } else {
                olds.addAll(List.of(1, 2, n / 2, n - 1, n, Integer.highestOneBit(n - 1)));
                for (int i = 0; i < 4; i++) {
                    olds.add(1 + random.nextInt(n));
                }
            }
            Hash newRoot = new Hash(naive.mth(0, n));
            for (int m : olds) {
                ConsistencyProof proof = tree.at(n).consistencyProof(m);
                assertSameHashes(proof.path(), naive.proof(m, n), "consistency " + m + " -> " + n);
                MerkleVerifier.verifyConsistency(proof, new Hash(naive.mth(0, m)), newRoot);
            }
        }
    }

    @Test
    void sampledLargeTreesAgreeWithNaiveImplementation() throws Exception {
        int max = 70_001;
        List<byte[]> all = entries(max);
        NaiveMerkle naive = new NaiveMerkle(all);
        InMemoryTree tree = InMemoryTree.ofEntries(all);
        SplittableRandom random = new SplittableRandom(2);
        for (int n : new int[] {1023, 1024, 1025, 4097, 65_535, 65_536, 65_537, 70_001}) {
            Hash root = new Hash(naive.mth(0, n));
            assertThat(tree.at(n).root()).isEqualTo(root);
            for (int i = 0; i < 20; i++) {
                int m = random.nextInt(n);
                InclusionProof proof = tree.at(n).inclusionProof(m);
                assertSameHashes(proof.path(), naive.path(m, 0, n), "inclusion " + m + " in " + n);
                MerkleVerifier.verifyInclusion(proof, new Hash(naive.mth(m, m + 1)), root);
                int old = 1 + random.nextInt(n);
                ConsistencyProof cp = tree.at(n).consistencyProof(old);
                assertSameHashes(cp.path(), naive.proof(old, n), "consistency " + old + " -> " + n);
                MerkleVerifier.verifyConsistency(cp, new Hash(naive.mth(0, old)), root);
            }
        }
    }

    @Test
    void subtreeInclusionPathVerifiesAsLeafOfTheTreeAboveItsLevel() throws Exception {
        List<byte[]> all = entries(3000);
        NaiveMerkle naive = new NaiveMerkle(all);
        InMemoryTree tree = InMemoryTree.ofEntries(all);
        for (int n : new int[] {1, 255, 256, 257, 511, 512, 1000, 2999, 3000}) {
            Hash root = new Hash(naive.mth(0, n));
            for (int level : new int[] {0, 3, 8}) {
                long width = 1L << level;
                long nodes = (n + width - 1) / width;
                for (long index = 0; index < nodes; index++) {
                    int lo = (int) (index * width);
                    int hi = (int) Math.min(lo + width, n);
                    List<Hash> path = tree.at(n).subtreeInclusionPath(level, index);
                    MerkleVerifier.verifyInclusion(index, nodes, new Hash(naive.mth(lo, hi)), path, root);
                }
            }
        }
    }
}
