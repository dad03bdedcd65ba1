package dev.vitra.watchdog.merkle;

import dev.vitra.watchdog.util.VerificationFailure;

/**
 * A Merkle proof did not verify. Carries what was expected and what was found so that a report (or a
 * fraud proof built on it) can say exactly what disagreed.
 */
public final class ProofException extends VerificationFailure {
    public enum Kind {
        /** The leaf index or subtree lies outside the tree. */
        INDEX_OUT_OF_RANGE,
        /** The sizes of a consistency proof are not {@code 0 < size1 <= size2}. */
        SIZES_OUT_OF_ORDER,
        /** The proof has the wrong number of hashes for the claimed sizes and index. */
        WRONG_PROOF_LENGTH,
        /** The proof is well formed but hashes to another root. */
        ROOT_MISMATCH,
        /** The proof hashes to the expected new root but a different old root. */
        OLD_ROOT_MISMATCH
    }

    private final Kind kind;

    public ProofException(Kind kind, String message, Object expected, Object found) {
        super(message + (expected != null || found != null ? " (expected " + expected + ", found " + found + ")" : ""),
                expected, found, null);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
