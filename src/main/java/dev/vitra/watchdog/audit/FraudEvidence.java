package dev.vitra.watchdog.audit;

import dev.vitra.watchdog.evidence.ForkEvidence;
import dev.vitra.watchdog.merkle.Hash;
import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.note.MalformedNoteException;
import dev.vitra.watchdog.note.NoteVerificationException;
import dev.vitra.watchdog.note.SignedCheckpoint;
import dev.vitra.watchdog.store.Rows.LogRole;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The signed material behind a fraud finding, checked when it is built: every checkpoint re-verified against the
 * key its log id names, and each covering what it must. The evidence issue turns these into proof files; here
 * they make sure no fraud finding exists without them.
 */
public sealed interface FraudEvidence permits FraudEvidence.Fork, FraudEvidence.Breach {
    /** What to store: the anchors as JSON, for verify-proof to rebuild a proof from. */
    Facts facts();

    /** Two checkpoints of one log that cannot both be true. */
    record Fork(ForkEvidence fork, LogRole role, OptionalLong sharedPrefix) implements FraudEvidence {
        @Override
        public Facts facts() {
            Facts.Builder b = Facts.builder().put("log", fork.log()).put("role", role.name().toLowerCase())
                    .put("smaller", fork.smaller()).put("larger", fork.larger()).put("prefixRoot", fork.prefixRoot())
                    .putHashes("consistencyProof", fork.proof().path());
            sharedPrefix.ifPresent(p -> b.put("sharedPrefix", p));
            return b.build();
        }
    }

    /**
     * A transaction the executor published against its contract.
     *
     * @param index             a signed index checkpoint covering the whole transaction (ack and window)
     * @param indexLog          the index log id
     * @param at                the ack's position (or the entry's, where no ack is due)
     * @param end               one past the last entry the finding relies on ({@code index} covers it)
     * @param op                the op, when the finding relies on it
     * @param contract          the contract that was in force, when there was one
     * @param replayCheckpoints per oplog, a signed checkpoint covering every op processed before {@code at}: with
     *                          {@code index}, exactly what a replay rebuilding the state needs
     */
    record Breach(LogId indexLog, SignedCheckpoint index, long at, long end, Optional<OpAnchor> op,
            Optional<ContractAnchor> contract, Map<LogId, SignedCheckpoint> replayCheckpoints) implements FraudEvidence {
        public Breach {
            replayCheckpoints = Map.copyOf(replayCheckpoints);
            reverify(indexLog, index, "index checkpoint");
            if (index.size() < end || at >= end) {
                throw new IllegalArgumentException("the index checkpoint (size " + index.size()
                        + ") must cover entries " + at + ".." + (end - 1));
            }
            op.ifPresent(o -> {
                reverify(o.oplog(), o.checkpoint(), "oplog checkpoint");
                if (o.checkpoint().size() <= o.seq()) {
                    throw new IllegalArgumentException("the oplog checkpoint (size " + o.checkpoint().size()
                            + ") does not cover op " + o.seq());
                }
            });
            replayCheckpoints.forEach((log, cp) -> reverify(log, cp, "replay checkpoint"));
        }

        @Override
        public Facts facts() {
            Facts.Builder b = Facts.builder().put("indexCheckpoint", index).put("entries", at + ".." + (end - 1));
            op.ifPresent(o -> b.putJson("op", Facts.builder().put("oplog", o.oplog()).put("seq", o.seq())
                    .put("text", o.text()).put("checkpoint", o.checkpoint()).build().json()));
            contract.ifPresent(c -> b.putJson("contract", Facts.builder().put("sha256", c.sha256().toHex())
                    .put("writtenAt", c.writtenAt()).build().json()));
            Facts.Builder replay = Facts.builder();
            replayCheckpoints.entrySet().stream().sorted(Map.Entry.comparingByKey((x, y) -> x.hex().compareTo(y.hex())))
                    .forEach(e -> replay.put(e.getKey().hex(), e.getValue()));
            b.putJson("replayCheckpoints", replay.build().json());
            return b.build();
        }
    }

    /** The op a transaction applied, and a signed checkpoint of its oplog that covers it. */
    record OpAnchor(LogId oplog, long seq, String text, SignedCheckpoint checkpoint) {
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
