package dev.vitra.watchdog.evidence;

import dev.vitra.watchdog.merkle.ConsistencyProof;
import dev.vitra.watchdog.merkle.Hash;
import dev.vitra.watchdog.merkle.MerkleVerifier;
import dev.vitra.watchdog.merkle.ProofException;
import dev.vitra.watchdog.merkle.TreeHasher;
import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.note.MalformedNoteException;
import dev.vitra.watchdog.note.NoteVerificationException;
import dev.vitra.watchdog.note.SignedCheckpoint;
import java.util.List;

/**
 * Two checkpoints of one log, both validly signed by the log's key, that cannot both be true (PROTOCOL §6): the
 * same size with different roots, or sizes m &lt; n where the larger tree commits to a size-m root
 * {@code prefixRoot} ≠ the signed size-m root, shown by {@code proof} from (m, prefixRoot) to the signed size-n
 * root. The constructor checks all of it from the raw notes, so a value of this type is a fork that anyone can
 * re-check with the log id alone; it cannot be built from anything less.
 */
public record ForkEvidence(LogId log, SignedCheckpoint smaller, SignedCheckpoint larger, Hash prefixRoot,
        ConsistencyProof proof) {

    public ForkEvidence {
        reopen(log, smaller, "smaller");
        reopen(log, larger, "larger");
        long m = smaller.size();
        long n = larger.size();
        Hash a = smaller.checkpoint().root();
        Hash b = larger.checkpoint().root();
        if (m > n) {
            throw new IllegalArgumentException("not a fork: the smaller checkpoint has size " + m + " > " + n);
        }
        if (proof.oldSize() != m || proof.newSize() != n) {
            throw new IllegalArgumentException("not a fork: the proof is for sizes " + proof.oldSize() + " and "
                    + proof.newSize() + ", the checkpoints have " + m + " and " + n);
        }
        if (m == n) {
            if (a.equals(b) || !prefixRoot.equals(b) || !proof.path().isEmpty()) {
                throw new IllegalArgumentException("not a fork: checkpoints of equal size " + m
                        + " must have different roots, with the larger root as prefix root and no proof");
            }
        } else if (m == 0) {
            if (a.equals(TreeHasher.EMPTY_ROOT) || !prefixRoot.equals(TreeHasher.EMPTY_ROOT) || !proof.path().isEmpty()) {
                throw new IllegalArgumentException("not a fork: a size-0 checkpoint is inconsistent only when its root"
                        + " is not the empty-tree root");
            }
        } else {
            if (prefixRoot.equals(a)) {
                throw new IllegalArgumentException("not a fork: the larger tree's size-" + m + " root is the signed one");
            }
            try {
                MerkleVerifier.verifyConsistency(proof, prefixRoot, b);
            } catch (ProofException e) {
                throw new IllegalArgumentException("not a fork: the consistency proof from (" + m + ", prefix root) to the"
                        + " signed size-" + n + " root does not verify: " + e.getMessage(), e);
            }
        }
    }

    /** Same size, different roots. */
    public boolean sameSize() {
        return smaller.size() == larger.size();
    }

    private static void reopen(LogId log, SignedCheckpoint checkpoint, String which) {
        try {
            SignedCheckpoint.open(checkpoint.raw(), log.origin(), List.of(log.verifierKey()));
        } catch (MalformedNoteException | NoteVerificationException e) {
            throw new IllegalArgumentException("not a fork: the " + which + " checkpoint is not signed by log " + log
                    + ": " + e.getMessage(), e);
        }
    }
}
