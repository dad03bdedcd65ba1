package dev.vitra.watchdog.audit;

import dev.vitra.watchdog.evidence.ForkEvidence;
import dev.vitra.watchdog.evidence.FraudCode;
import dev.vitra.watchdog.evidence.FraudProof;
import dev.vitra.watchdog.merkle.Hash;
import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.note.MalformedNoteException;
import dev.vitra.watchdog.note.NoteVerificationException;
import dev.vitra.watchdog.note.SignedCheckpoint;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;

/**
 * The signed material behind a fraud finding, as positions and anchors, checked when it is built: every checkpoint
 * re-verified against the key its log id names, and each covering what it must. {@link ProofAssembler} turns it
 * into a {@code vitra-fraud-proof/1} document (the entries' bytes and inclusion proofs come from the mirror), so
 * no fraud finding exists without what proves it.
 */
public sealed interface FraudEvidence permits FraudEvidence.Fork, FraudEvidence.Breach {

    /** Two checkpoints of one log that cannot both be true. */
    record Fork(ForkEvidence fork) implements FraudEvidence {
    }

    /**
     * A transaction (or genesis entry) the executor published against PROTOCOL §5.
     *
     * @param index             a signed index checkpoint covering every entry the claim rests on
     * @param at                the ack's position (or the entry's, where no ack is due)
     * @param basis             what the claim rests on: entries alone, or a replay of the op
     * @param replayCheckpoints per oplog, a signed checkpoint covering every op processed before {@code at}: with
     *                          {@code index}, exactly what a replay rebuilding the state needs
     */
    record Breach(LogId indexLog, SignedCheckpoint index, FraudCode code, long at, Basis basis,
            Map<LogId, SignedCheckpoint> replayCheckpoints) implements FraudEvidence {
        public Breach {
            replayCheckpoints = Map.copyOf(replayCheckpoints);
            reverify(indexLog, index, "index checkpoint");
            if (basis instanceof Replayed r) {
                reverify(r.op().oplog(), r.op().checkpoint(), "oplog checkpoint");
                if (r.op().checkpoint().size() <= r.op().seq()) {
                    throw new IllegalArgumentException("the oplog checkpoint (size " + r.op().checkpoint().size()
                            + ") does not cover op " + r.op().seq());
                }
            }
            replayCheckpoints.forEach((log, cp) -> reverify(log, cp, "replay checkpoint"));
            long last = positions(at, basis).last();
            if (index.size() <= last) {
                throw new IllegalArgumentException("the index checkpoint (size " + index.size()
                        + ") must cover entry " + last);
            }
        }

        /** The index entries the claim rests on (docs/evidence.md, "Stages"). */
        public NavigableSet<Long> positions() {
            return positions(at, basis);
        }

        private static NavigableSet<Long> positions(long at, Basis basis) {
            TreeSet<Long> out = new TreeSet<>();
            out.add(0L); // the header: what makes the log an index (docs/evidence.md)
            switch (basis) {
                case Direct d -> {
                    switch (d.claim()) {
                        case FraudProof.Claim.Genesis g -> range(out, 0, at);
                        case FraudProof.Claim.AckDue a -> out.add(at);
                        case FraudProof.Claim.Window w -> range(out, at, w.entry());
                        case FraudProof.Claim.Participant p -> {
                            out.add(at);
                            p.removedAt().ifPresent(out::add);
                        }
                        case FraudProof.Claim.Order o -> {
                            out.add(at);
                            o.shownBy().ifPresent(out::add);
                        }
                        case FraudProof.Claim.Replay r -> throw new IllegalArgumentException("a replay claim is Replayed");
                    }
                }
                case Replayed r -> {
                    out.add(r.contract().writtenAt());
                    range(out, at, at + r.numChanges());
                }
            }
            return out;
        }

        private static void range(TreeSet<Long> out, long from, long to) {
            for (long p = from; p <= to; p++) {
                out.add(p);
            }
        }
    }

    /** What a breach rests on. */
    sealed interface Basis permits Direct, Replayed {
    }

    /** Entries alone show it (with the structure a replay confirms): any claim but a replay. */
    record Direct(FraudProof.Claim claim) implements Basis {
        public Direct {
            if (claim instanceof FraudProof.Claim.Replay) {
                throw new IllegalArgumentException("a replay claim is Replayed");
            }
        }
    }

    /** The op replayed on a fresh contract instance gave {@code outcome}, which is not the published transaction. */
    record Replayed(OpAnchor op, ContractAnchor contract, long numChanges, FraudProof.Outcome outcome) implements Basis {
    }

    /** The op a transaction applied, and a signed checkpoint of its oplog that covers it. */
    record OpAnchor(LogId oplog, long seq, byte[] data, SignedCheckpoint checkpoint) {
        public OpAnchor {
            data = data.clone();
        }
    }

    /** The contract in force: its source's SHA-256 and the index position of the entry that set it. */
    record ContractAnchor(Hash sha256, long writtenAt) {
    }

    private static void reverify(LogId log, SignedCheckpoint checkpoint, String what) {
        try {
            SignedCheckpoint.open(checkpoint.raw(), log.origin(), List.of(log.verifierKey()));
        } catch (MalformedNoteException | NoteVerificationException e) {
            throw new IllegalArgumentException(what + " is not signed by log " + log + ": " + e.getMessage(), e);
        }
    }
}
