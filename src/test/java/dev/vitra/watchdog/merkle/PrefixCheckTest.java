package dev.vitra.watchdog.merkle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vitra.watchdog.evidence.ForkEvidence;
import dev.vitra.watchdog.note.Checkpoint;
import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.note.SignedCheckpoint;
import dev.vitra.watchdog.note.SignerKey;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The larger tree's nodes decide whether a smaller signed tree is its prefix, for every older size: a fork must
 * be a fork even when the older size is a power of two (RFC 9162's verifier starts from the signed old root there,
 * so a check that trusts it can never see the larger tree's own prefix). Roots are cross-checked with the naive
 * recursive implementation.
 */
class PrefixCheckTest {
    private static final SignerKey KEY = LogId.signerFor(new byte[32]);
    private static final LogId LOG = new LogId(KEY.publicKey());

    private static List<byte[]> entries(String prefix, int n) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add((prefix + " " + i).getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    private static Hash naiveRoot(List<byte[]> entries, int size) {
        return new Hash(new NaiveMerkle(entries.subList(0, size)).mth(0, size));
    }

    private static SignedCheckpoint sign(long size, Hash root) {
        return SignedCheckpoint.sign(new Checkpoint(LOG.origin(), size, root), KEY);
    }

    @Test
    void aForkIsCaughtFromEveryOlderSizeOneToSixHundred() throws Exception {
        Random random = new Random(600);
        for (int m = 1; m <= 600; m++) {
            int n = m + random.nextInt(300);
            List<byte[]> honest = entries("e", n);
            List<byte[]> forked = new ArrayList<>(honest);
            int at = random.nextInt(m);
            forked.set(at, ("forked " + at).getBytes(StandardCharsets.UTF_8));
            InMemoryTree forkedTree = InMemoryTree.ofEntries(forked);
            Hash a = naiveRoot(honest, m);
            Hash b = naiveRoot(forked, n);
            assertThat(forkedTree.at(n).root()).isEqualTo(b);

            PrefixCheck.Result result = PrefixCheck.check(m, a, n, b, forkedTree);
            assertThat(result).as("m=%d n=%d fork at %d", m, n, at).isInstanceOf(PrefixCheck.Result.Inconsistent.class);
            var fork = (PrefixCheck.Result.Inconsistent) result;
            assertThat(fork.prefixRoot()).isEqualTo(m == n ? b : naiveRoot(forked, m));
            // The evidence re-checks itself from the signed notes alone.
            new ForkEvidence(LOG, sign(m, a), sign(n, b), fork.prefixRoot(), fork.proof());

            PrefixCheck.Result honestResult = PrefixCheck.check(m, a, n, naiveRoot(honest, n), InMemoryTree.ofEntries(honest));
            assertThat(honestResult).as("m=%d n=%d honest", m, n).isInstanceOf(PrefixCheck.Result.Consistent.class);
            ConsistencyProof proof = ((PrefixCheck.Result.Consistent) honestResult).proof();
            MerkleVerifier.verifyPrefix(m, n, a, naiveRoot(honest, n), proof.path());
        }
    }

    @Test
    void nodesThatDoNotReproduceTheLargerRootProveNothing() throws Exception {
        for (int m : new int[] {1, 2, 3, 4, 5, 255, 256, 257, 511, 512}) {
            int n = 2 * m + 3;
            List<byte[]> honest = entries("e", n);
            List<byte[]> other = entries("other", n);
            // Signed roots of the honest log, nodes of an unrelated tree: corrupt tiles, not a fork.
            PrefixCheck.Result result = PrefixCheck.check(m, naiveRoot(honest, m), n, naiveRoot(honest, n),
                    InMemoryTree.ofEntries(other));
            assertThat(result).as("m=%d", m).isInstanceOf(PrefixCheck.Result.NodesDoNotMatch.class);
        }
    }

    @Test
    void equalSizesAreConsistentOnlyWithEqualRoots() throws Exception {
        List<byte[]> honest = entries("e", 8);
        Hash root = naiveRoot(honest, 8);
        Hash other = naiveRoot(entries("x", 8), 8);
        NodeSource unused = (level, index) -> {
            throw new NodeUnavailableException("equal sizes need no nodes");
        };
        assertThat(PrefixCheck.check(8, root, 8, root, unused)).isInstanceOf(PrefixCheck.Result.Consistent.class);
        assertThat(PrefixCheck.check(8, other, 8, root, unused)).isInstanceOf(PrefixCheck.Result.Inconsistent.class);
    }

    @Test
    void theEmptyTreeIsAPrefixOfEveryTreeButASizeZeroCheckpointWithAnotherRootIsNot() throws Exception {
        List<byte[]> honest = entries("e", 5);
        InMemoryTree tree = InMemoryTree.ofEntries(honest);
        Hash root = naiveRoot(honest, 5);
        assertThat(PrefixCheck.check(0, TreeHasher.EMPTY_ROOT, 5, root, tree)).isInstanceOf(PrefixCheck.Result.Consistent.class);
        assertThat(PrefixCheck.check(0, root, 5, root, tree)).isInstanceOf(PrefixCheck.Result.Inconsistent.class);
    }

    @Test
    void forkEvidenceRefusesWhatIsNotAFork() throws Exception {
        List<byte[]> honest = entries("e", 20);
        InMemoryTree tree = InMemoryTree.ofEntries(honest);
        Hash a = naiveRoot(honest, 7);
        Hash b = naiveRoot(honest, 20);
        ConsistencyProof proof = tree.at(20).consistencyProof(7);
        // Consistent trees: the "prefix root" is the signed one.
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ForkEvidence(LOG, sign(7, a), sign(20, b), a, proof))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a fork");
        // A made-up prefix root that the proof does not lead from.
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ForkEvidence(LOG, sign(7, a), sign(20, b), b, proof))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not verify");
        // A checkpoint signed by another log's key.
        SignerKey otherKey = LogId.signerFor(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
                20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32});
        SignedCheckpoint foreign = SignedCheckpoint.sign(new Checkpoint(LOG.origin(), 20, b), otherKey);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ForkEvidence(LOG, sign(20, a), foreign, b,
                        new ConsistencyProof(20, 20, List.of())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not signed by log");
    }
}
