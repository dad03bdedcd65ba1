package dev.vitra.watchdog.evidence;

import dev.vitra.watchdog.merkle.Hash;
import dev.vitra.watchdog.note.LogId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A fraud proof, {@code vitra-fraud-proof/1} (docs/evidence.md, PROTOCOL §6): everything a verifier needs, with the
 * log ids alone, to check a claim of misbehaviour offline. Values only; {@link ProofCodec} reads and writes the
 * canonical document, {@link ProofVerifier} checks it. Signed notes are kept as their exact text.
 */
public sealed interface FraudProof permits FraudProof.LogFork, FraudProof.Breach {
    String FORMAT = "vitra-fraud-proof/1";

    FraudCode code();

    /**
     * Two checkpoints of {@code log} that cannot both be true: sizes m &lt; n where the size-n tree's size-m root
     * {@code prefixRoot} differs from the signed size-m root (shown by {@code consistencyProof}), or equal sizes with
     * different roots ({@code prefixRoot} = the larger note's root, no proof).
     */
    record LogFork(LogId log, String smaller, String larger, Hash prefixRoot, List<Hash> consistencyProof)
            implements FraudProof {
        public LogFork {
            consistencyProof = List.copyOf(consistencyProof);
        }

        @Override
        public FraudCode code() {
            return FraudCode.LogFork;
        }
    }

    /**
     * A transaction (or genesis entry) of index log {@code index} that breaks PROTOCOL §5: the signed index
     * checkpoint, the entries the claim rests on with inclusion proofs against it, the claim itself, and the oplog
     * checkpoints a replay uses to rebuild the state before {@code at}.
     */
    record Breach(FraudCode code, LogId index, String checkpoint, long at, List<ProvenEntry> entries, Claim claim,
            Map<LogId, String> replayCheckpoints) implements FraudProof {
        public Breach {
            entries = List.copyOf(entries);
            replayCheckpoints = Map.copyOf(replayCheckpoints);
        }

        public Stage stage() {
            return claim.stage();
        }
    }

    /** An entry of a log, with its inclusion proof against the checkpoint it is proven under. */
    record ProvenEntry(long position, byte[] data, List<Hash> proof) {
        public ProvenEntry {
            data = data.clone();
            proof = List.copyOf(proof);
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ProvenEntry e && e.position == position && java.util.Arrays.equals(e.data, data)
                    && e.proof.equals(proof);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(position) * 31 + java.util.Arrays.hashCode(data);
        }
    }

    /** Where in the index the breach is, which decides what the proof carries (docs/evidence.md, "Stages"). */
    enum Stage {
        GENESIS("genesis"), ACK_DUE("ack-due"), WINDOW("window"), PARTICIPANT("participant"), ORDER("order"),
        REPLAY("replay");

        private final String wire;

        Stage(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }

        /** The codes a proof of this stage can carry. */
        public java.util.Set<FraudCode> codes() {
            return switch (this) {
                case GENESIS -> java.util.Set.of(FraudCode.UnexpectedPathError, FraudCode.InvalidSchemaError,
                        FraudCode.NoGenesisInputsDeclaredError);
                case ACK_DUE -> java.util.Set.of(FraudCode.InvalidSchemaError, FraudCode.ChangeNotProducedByMonitorError);
                case WINDOW -> java.util.Set.of(FraudCode.InvalidSchemaError);
                case PARTICIPANT -> java.util.Set.of(FraudCode.NonParticipantError);
                case ORDER -> java.util.Set.of(FraudCode.ProcessedOutOfOrderError);
                case REPLAY -> java.util.Set.of(FraudCode.MonitorApplyFailedError, FraudCode.ExecutorApplyFailedError,
                        FraudCode.ChangeMismatchError, FraudCode.ChangeNotProducedByExecutorError,
                        FraudCode.ChangeNotProducedByMonitorError);
            };
        }

        public static Optional<Stage> parse(String wire) {
            for (Stage s : values()) {
                if (s.wire.equals(wire)) {
                    return Optional.of(s);
                }
            }
            return Optional.empty();
        }
    }

    /** What is claimed, by stage; each names the entries it rests on. */
    sealed interface Claim {
        Stage stage();

        /** Genesis broke at {@code at}: entries 0..at are all carried. */
        record Genesis() implements Claim {
            @Override
            public Stage stage() {
                return Stage.GENESIS;
            }
        }

        /** An ack is due at {@code at} and the entry there is not one. */
        record AckDue() implements Claim {
            @Override
            public Stage stage() {
                return Stage.ACK_DUE;
            }
        }

        /** Entry {@code entry}, inside the window of the ack at {@code at}, is not a change. */
        record Window(long entry) implements Claim {
            @Override
            public Stage stage() {
                return Stage.WINDOW;
            }
        }

        /** The ack at {@code at} processes an op of {@code origin}, not an active participant. */
        record Participant(LogId origin, OptionalLong removedAt) implements Claim {
            @Override
            public Stage stage() {
                return Stage.PARTICIPANT;
            }
        }

        /**
         * The ack at {@code at} processes op {@code seq} of {@code origin} out of order. {@code shownBy}: an earlier ack
         * of the same op (a repeat), or of the origin's last processed op when that is not {@code seq − 1} (a skip);
         * none when no op of the origin was processed before (op 0 skipped).
         */
        record Order(LogId origin, long seq, OptionalLong shownBy) implements Claim {
            @Override
            public Stage stage() {
                return Stage.ORDER;
            }
        }

        /** Replaying the op under the contract set at {@code contractAt} gives {@code outcome}, not what was published. */
        record Replay(ProvenOp op, long contractAt, Hash contractSha256, Outcome outcome) implements Claim {
            @Override
            public Stage stage() {
                return Stage.REPLAY;
            }
        }
    }

    /** An op, with its inclusion proof against a signed checkpoint of its oplog. */
    record ProvenOp(LogId oplog, long seq, byte[] data, String checkpoint, List<Hash> proof) {
        public ProvenOp {
            data = data.clone();
            proof = List.copyOf(proof);
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ProvenOp p && p.oplog.equals(oplog) && p.seq == seq && java.util.Arrays.equals(p.data, data)
                    && p.checkpoint.equals(checkpoint) && p.proof.equals(proof);
        }

        @Override
        public int hashCode() {
            return oplog.hashCode() * 31 + Long.hashCode(seq);
        }
    }

    /**
     * What the contract does with the op on a fresh instance: success and its change entries (as
     * {@code JSON.stringify({type, path, value})} writes them), or failure. The error text is not part of it:
     * engines word errors differently (PROTOCOL §3), and every byte of a proof must be checkable.
     */
    record Outcome(boolean success, List<String> changes) {
        public Outcome {
            changes = List.copyOf(changes);
            if (!success && !changes.isEmpty()) {
                throw new IllegalArgumentException("a failed outcome has no changes");
            }
        }
    }
}
