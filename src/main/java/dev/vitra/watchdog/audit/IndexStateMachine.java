package dev.vitra.watchdog.audit;

import dev.vitra.watchdog.evidence.FraudCode;
import dev.vitra.watchdog.evidence.FraudProof;
import dev.vitra.watchdog.contract.Ack;
import dev.vitra.watchdog.contract.ApplyOutcome;
import dev.vitra.watchdog.contract.Change;
import dev.vitra.watchdog.merkle.TreeHasher;
import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.note.SignedCheckpoint;
import dev.vitra.watchdog.protocol.AckValue;
import dev.vitra.watchdog.protocol.IndexEntries;
import dev.vitra.watchdog.protocol.IndexEntry;
import dev.vitra.watchdog.protocol.InvalidEntryException;
import dev.vitra.watchdog.protocol.Json;
import dev.vitra.watchdog.protocol.JsonValue;
import dev.vitra.watchdog.protocol.MalformedJsonException;
import dev.vitra.watchdog.protocol.SysPaths;
import dev.vitra.watchdog.store.Rows;
import dev.vitra.watchdog.util.JsonText;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * PROTOCOL §5 for the index log, one entry at a time (docs/audit.md, "Decision rules"): the header, the contract,
 * genesis inputs and the seal, then transactions — ack shape, window, active participant, next seq, the op from
 * a verified oplog, replay against the state as of the start of the transaction, outcome and changes compared
 * position by position. A transaction is applied to the state only once all of it is verified; anything else
 * stops the machine at the transaction's first entry with a finding. Mismatches count only after a replay on a
 * fresh contract instance confirms them. No I/O of its own: the state, the ops, the replay and the signed
 * checkpoints for evidence come from the caller.
 */
final class IndexStateMachine {
    /** What one entry (or the end of the entries) led to. */
    sealed interface Step {
        /** Inside a transaction's window: more entries are needed. */
        record NeedMore() implements Step {
        }

        /**
         * The entry, or the transaction it completes ({@code transaction}), is applied; the next one starts at
         * {@code next}. {@code findings}: governance notices, or an engine-dependent divergence the audit went past.
         */
        record Verified(long next, boolean transaction, List<Finding> findings) implements Step {
        }

        /** The machine stopped before {@code resumeAt} (nothing of that transaction applied). */
        record Stopped(Finding finding, long resumeAt) implements Step {
        }
    }

    /** Bounds of our own: a window beyond them is a monitor limit (availability), never a verdict. */
    record Limits(int maxWindowEntries, long maxWindowBytes) {
    }

    /** The signed material a fraud finding is built from. */
    interface EvidenceSource {
        /** A verified index checkpoint covering every entry offered so far. */
        SignedCheckpoint indexCheckpoint();
    }

    private static final Step NEED_MORE = new Step.NeedMore();

    private final LogId indexLog;
    private final StateView state;
    private final Participants participants;
    private final OpLookup ops;
    private final Replayer replayer;
    private final EvidenceSource evidence;
    private final Limits limits;

    private long next;
    private boolean sealed;
    private Transaction open;

    /** The contract source in force and the position of the entry that set it (cached from the state). */
    private String contractSource;
    private long contractWrittenAt = -1;

    /** A transaction whose ack has been read: its window as far as it has arrived. */
    private static final class Transaction {
        final long at;
        final AckValue ack;
        final JsonValue ackValue;
        final List<IndexEntry> window = new ArrayList<>();
        final List<String> windowText = new ArrayList<>();
        long windowBytes;
        long received;
        boolean overflow;

        Transaction(long at, AckValue ack, JsonValue ackValue) {
            this.at = at;
            this.ack = ack;
            this.ackValue = ackValue;
        }

        long end() {
            return at + 1 + ack.numChanges();
        }
    }

    IndexStateMachine(LogId indexLog, StateView state, Participants participants, OpLookup ops, Replayer replayer,
            EvidenceSource evidence, Limits limits, long next, boolean sealed) {
        this.indexLog = indexLog;
        this.state = state;
        this.participants = participants;
        this.ops = ops;
        this.replayer = replayer;
        this.evidence = evidence;
        this.limits = limits;
        this.next = next;
        this.sealed = sealed;
    }

    /** The first position not verified: where a commit made now resumes. */
    long verifiedPosition() {
        return open == null ? next : open.at;
    }

    boolean sealed() {
        return sealed;
    }

    /** Offers entry {@code position}, which must be the next one. */
    Step offer(long position, byte[] bytes) throws InterruptedException {
        long expected = open == null ? next : open.at + 1 + open.received;
        if (position != expected) {
            throw new IllegalArgumentException("entry " + position + " offered, " + expected + " expected");
        }
        if (!sealed) {
            return genesis(position, bytes);
        }
        if (open == null) {
            return ack(position, bytes);
        }
        return windowEntry(position, bytes);
    }

    /** No more verified entries this pass: a transaction still open is pending. */
    Optional<Step.Stopped> endOfEntries() {
        if (open == null) {
            return Optional.empty();
        }
        Transaction tx = open;
        open = null;
        return Optional.of(new Step.Stopped(new Finding.Pending(PendingCode.TransactionNotYetComplete, Optional.of(indexLog),
                OptionalLong.of(tx.at), OptionalLong.empty(),
                "the verified index ends inside the transaction at " + tx.at + " (" + tx.received + " of "
                        + tx.ack.numChanges() + " changes published)",
                Facts.builder().put("at", tx.at).put("numChanges", tx.ack.numChanges()).put("changesPublished", tx.received)
                        .build()), tx.at));
    }

    // ---- genesis ----

    private Step genesis(long p, byte[] bytes) {
        IndexEntry entry;
        try {
            entry = IndexEntry.parse(bytes);
        } catch (InvalidEntryException e) {
            if (p == 0) {
                return notAnIndex(bytes, "not a valid index entry: " + e.getMessage());
            }
            return fraud(FraudCode.InvalidSchemaError, p, OptionalLong.empty(), schema(p, e.getMessage(), bytes),
                    "index entry " + p + " is not a valid entry: " + e.getMessage(), GENESIS);
        }
        if (p == 0) {
            return switch (entry) {
                case IndexEntry.Header h when h.protocol().equals(IndexEntries.PROTOCOL) -> accepted(p);
                case IndexEntry.Header h -> new Step.Stopped(new Finding.Availability(AvailabilityCode.UnsupportedProtocol,
                        Optional.of(indexLog), OptionalLong.of(0), OptionalLong.empty(),
                        "the index header names protocol " + JsonText.quote(h.protocol()) + "; this monitor implements "
                                + IndexEntries.PROTOCOL, Facts.builder().put("protocol", h.protocol()).build()), 0);
                default -> notAnIndex(bytes, "not a header");
            };
        }
        if (entry instanceof IndexEntry.Header) {
            return fraud(FraudCode.InvalidSchemaError, p, OptionalLong.empty(),
                    schema(p, "a header after entry 0", bytes), "index entry " + p + " is a second header", GENESIS);
        }
        if (p == 1) {
            if (entry instanceof IndexEntry.Put put && put.path().equals(SysPaths.CONTRACT_SOURCE)) {
                if (put.value() instanceof JsonValue.Str source && !source.value().isEmpty()) {
                    state.put(put.path(), Json.write(put.value()), p);
                    return accepted(p);
                }
                return fraud(FraudCode.InvalidSchemaError, p, OptionalLong.empty(),
                        schema(p, "the contract source must be a non-empty string", bytes),
                        "index entry 1 puts a contract source that is not a non-empty string", GENESIS);
            }
            return unexpectedPath(p, bytes, "a put of " + SysPaths.CONTRACT_SOURCE);
        }
        if (entry instanceof IndexEntry.Put put && SysPaths.isUnderInputs(put.path())) {
            Optional<LogId> id = SysPaths.parseInputPath(put.path());
            String problem = null;
            if (id.isEmpty()) {
                problem = "an input path must be " + SysPaths.INPUTS_PREFIX + "<64 lowercase hex>";
            } else if (!put.value().equals(inputValue(id.get(), true))) {
                problem = "a genesis input's value must be exactly {\"pubkey\":\"" + id.get().hex() + "\",\"active\":true}";
            } else if (participants.get(id.get()).isPresent()) {
                problem = "oplog " + id.get().hex() + " is declared twice";
            }
            if (problem != null) {
                return fraud(FraudCode.InvalidSchemaError, p, OptionalLong.empty(), schema(p, problem, bytes),
                        "genesis input at " + p + ": " + problem, GENESIS);
            }
            state.put(put.path(), Json.write(put.value()), p);
            participants.setActive(id.get(), true, p);
            return accepted(p);
        }
        if (entry instanceof IndexEntry.Put put && put.path().equals(SysPaths.GENESIS_SEAL)) {
            if (!(put.value() instanceof JsonValue.Null)) {
                return fraud(FraudCode.InvalidSchemaError, p, OptionalLong.empty(),
                        schema(p, "the genesis seal's value must be null", bytes),
                        "the genesis seal at " + p + " has a value other than null", GENESIS);
            }
            if (participants.count() == 0) {
                return fraud(FraudCode.NoGenesisInputsDeclaredError, p, OptionalLong.empty(),
                        Facts.builder().put("entry", p).build(), "genesis is sealed at " + p + " without any input",
                        GENESIS);
            }
            state.put(put.path(), Json.write(put.value()), p);
            sealed = true;
            return accepted(p);
        }
        return unexpectedPath(p, bytes, "a genesis input or the seal " + SysPaths.GENESIS_SEAL);
    }

    /**
     * Entry 0 is not the vitra/1 header, so the log does not claim to be a Vitra index: unsupported, not a breach.
     * Only the header binds a log to the index role; a "breach" at entry 0 could be shown of any oplog (docs/audit.md).
     */
    private Step notAnIndex(byte[] bytes, String problem) {
        return new Step.Stopped(new Finding.Availability(AvailabilityCode.UnsupportedProtocol, Optional.of(indexLog),
                OptionalLong.of(0), OptionalLong.empty(), "index entry 0 is " + problem + ": the log does not claim to be"
                        + " a " + IndexEntries.PROTOCOL + " index",
                Facts.builder().put("entry", 0).put("problem", problem).put("published", text(bytes)).build()), 0);
    }

    private Step unexpectedPath(long p, byte[] bytes, String expected) {
        return fraud(FraudCode.UnexpectedPathError, p, OptionalLong.empty(),
                Facts.builder().put("entry", p).put("expected", expected).put("published", text(bytes)).build(),
                "index entry " + p + " should be " + expected, GENESIS);
    }

    private Step accepted(long p) {
        next = p + 1;
        return new Step.Verified(next, false, List.of());
    }

    // ---- transactions ----

    private Step ack(long p, byte[] bytes) throws InterruptedException {
        IndexEntry entry;
        try {
            entry = IndexEntry.parse(bytes);
        } catch (InvalidEntryException e) {
            return fraud(FraudCode.InvalidSchemaError, p, OptionalLong.empty(), schema(p, e.getMessage(), bytes),
                    "index entry " + p + " (an ack is due) is not a valid entry: " + e.getMessage(), ACK_DUE);
        }
        if (entry instanceof IndexEntry.Header) {
            return fraud(FraudCode.InvalidSchemaError, p, OptionalLong.empty(),
                    schema(p, "a header after entry 0", bytes), "index entry " + p + " is a second header", ACK_DUE);
        }
        if (!(entry instanceof IndexEntry.Put put) || !SysPaths.isUnderAcks(put.path())) {
            return fraud(FraudCode.ChangeNotProducedByMonitorError, p, OptionalLong.empty(),
                    Facts.builder().put("entry", p).put("published", text(bytes)).build(),
                    "index entry " + p + " is a change where an ack is due: no op produced it", ACK_DUE);
        }
        Optional<SysPaths.AckKey> key = SysPaths.parseAckPath(put.path());
        if (key.isEmpty()) {
            return fraud(FraudCode.InvalidSchemaError, p, OptionalLong.empty(),
                    schema(p, "an ack path must be " + SysPaths.ACKS_PREFIX + "<origin>/<15-digit seq>", bytes),
                    "the ack at " + p + " has a malformed path", ACK_DUE);
        }
        AckValue ack;
        try {
            ack = AckValue.parse(put.value(), key.get());
        } catch (InvalidEntryException e) {
            return fraud(FraudCode.InvalidSchemaError, p, OptionalLong.empty(), schema(p, e.getMessage(), bytes),
                    "the ack at " + p + " is malformed: " + e.getMessage(), ACK_DUE);
        }
        open = new Transaction(p, ack, put.value());
        return ack.numChanges() == 0 ? evaluate() : NEED_MORE;
    }

    private Step windowEntry(long p, byte[] bytes) throws InterruptedException {
        Transaction tx = open;
        IndexEntry entry;
        try {
            entry = IndexEntry.parse(bytes);
        } catch (InvalidEntryException e) {
            open = null;
            return fraud(FraudCode.InvalidSchemaError, tx.at, OptionalLong.of(p), schema(p, e.getMessage(), bytes),
                    "entry " + p + " in the window of the ack at " + tx.at + " is not a valid change: " + e.getMessage(),
                    window(p));
        }
        String path = entry.pathIfChange().orElse(null);
        if (path == null || SysPaths.isUnderAcks(path)) {
            open = null;
            String problem = path == null ? "a header inside a transaction's window" : "an ack inside a transaction's window";
            return fraud(FraudCode.InvalidSchemaError, tx.at, OptionalLong.of(p), schema(p, problem, bytes),
                    "entry " + p + " in the window of the ack at " + tx.at + " (numChanges " + tx.ack.numChanges()
                            + ") is not a change: " + problem, window(p));
        }
        tx.received++;
        // The replay produces at most maxWindowEntries - 1 changes, so the first maxWindowEntries decide; later ones
        // are only checked for shape. Past the byte budget we cannot hold what decides: our limit, not a verdict.
        if (!tx.overflow && tx.window.size() < limits.maxWindowEntries()) {
            if (tx.windowBytes + bytes.length > limits.maxWindowBytes()) {
                tx.overflow = true;
            } else {
                tx.window.add(entry);
                tx.windowText.add(text(bytes));
                tx.windowBytes += bytes.length;
            }
        }
        return tx.received == tx.ack.numChanges() ? evaluate() : NEED_MORE;
    }

    /** The whole transaction has arrived and every entry has the right shape: check it against the contract. */
    private Step evaluate() throws InterruptedException {
        Transaction tx = open;
        open = null;
        AckValue ack = tx.ack;
        LogId origin = ack.origin();
        if (tx.overflow) {
            return new Step.Stopped(new Finding.Availability(AvailabilityCode.TransactionTooLarge, Optional.of(indexLog),
                    OptionalLong.of(tx.at), OptionalLong.empty(), "the transaction at " + tx.at + " ("
                            + ack.numChanges() + " changes) exceeds this monitor's window limit of "
                            + limits.maxWindowBytes() + " bytes",
                    Facts.builder().put("numChanges", ack.numChanges()).put("maxWindowBytes", limits.maxWindowBytes()).build()),
                    tx.at);
        }
        if (!participants.isActive(origin)) {
            Optional<Rows.StateEntry> input = state.entry(SysPaths.inputPath(origin));
            Facts.Builder facts = Facts.builder().put("origin", origin);
            input.ifPresent(i -> facts.put("inputWrittenAt", i.writtenAt()).put("inputValue", i.valueJson()));
            // An input entry of an inactive oplog is the one that removed it (genesis inputs are active).
            OptionalLong removedAt = input.map(i -> OptionalLong.of(i.writtenAt())).orElse(OptionalLong.empty());
            return fraud(FraudCode.NonParticipantError, tx.at, OptionalLong.empty(), facts.build(),
                    "the ack at " + tx.at + " processes an op of " + origin.hex() + ", which "
                            + (input.isPresent() ? "is not an active participant (removed at " + input.get().writtenAt() + ")"
                                    : "was never a participant"),
                    new FraudEvidence.Direct(new FraudProof.Claim.Participant(origin, removedAt)));
        }
        long expectedSeq = participants.nextSeq(origin);
        if (ack.seq() != expectedSeq) {
            Facts.Builder facts = Facts.builder().put("oplog", origin).put("expected", expectedSeq).put("executed", ack.seq());
            // What shows it: the earlier ack of the same op (a repeat), or of the last op processed (a skip).
            long shownSeq = ack.seq() < expectedSeq ? ack.seq() : expectedSeq - 1;
            OptionalLong shownBy = OptionalLong.empty();
            if (shownSeq >= 0) {
                Rows.StateEntry shown = state.entry(SysPaths.ackPath(origin, shownSeq)).orElseThrow(() ->
                        new IllegalStateException("op " + shownSeq + " of " + origin + " was processed but has no ack"));
                shownBy = OptionalLong.of(shown.writtenAt());
                if (ack.seq() < expectedSeq) {
                    facts.put("earlierAckAt", shown.writtenAt());
                }
            }
            if (expectedSeq > 0) {
                state.entry(SysPaths.ackPath(origin, expectedSeq - 1)).ifPresent(prev -> facts.put("previousAckAt", prev.writtenAt()));
            }
            return fraud(FraudCode.ProcessedOutOfOrderError, tx.at, OptionalLong.empty(), facts.build(),
                    "the ack at " + tx.at + " processes op " + ack.seq() + " of " + origin.hex() + " but its next op is "
                            + expectedSeq, new FraudEvidence.Direct(new FraudProof.Claim.Order(origin, ack.seq(), shownBy)));
        }
        OpLookup.Result found = ops.op(origin, ack.seq());
        OpLookup.Result.Available op;
        switch (found) {
            case OpLookup.Result.Available a -> op = a;
            case OpLookup.Result.NotYetPublished n -> {
                return new Step.Stopped(new Finding.Pending(PendingCode.OpNotYetPublished, Optional.of(origin),
                        OptionalLong.of(tx.at), OptionalLong.of(ack.seq()), "the ack at " + tx.at + " refers to op "
                                + ack.seq() + " of " + origin.hex() + ", which no verified checkpoint covers yet (size "
                                + n.verifiedSize() + ")",
                        Facts.builder().put("oplog", origin).put("seq", ack.seq()).put("oplogVerifiedSize", n.verifiedSize())
                                .build()), tx.at);
            }
            case OpLookup.Result.BeyondForkedPrefix b -> {
                return new Step.Stopped(new Finding.Pending(PendingCode.BlockedByOplogFork, Optional.of(origin),
                        OptionalLong.of(tx.at), OptionalLong.of(ack.seq()), "the ack at " + tx.at + " refers to op "
                                + ack.seq() + " of the forked oplog " + origin.hex() + ", outside the " + b.sharedPrefix()
                                + " ops both versions share; resolve the fork to continue",
                        Facts.builder().put("oplog", origin).put("seq", ack.seq()).put("sharedPrefix", b.sharedPrefix())
                                .build()), tx.at);
            }
            case OpLookup.Result.Unavailable u -> {
                return new Step.Stopped(new Finding.Availability(AvailabilityCode.OpUnavailable, Optional.of(origin),
                        OptionalLong.of(tx.at), OptionalLong.of(ack.seq()), "op " + ack.seq() + " of " + origin.hex()
                                + " could not be read: " + u.problem(),
                        Facts.builder().put("resource", u.resource()).put("problem", u.problem()).build()), tx.at);
            }
        }
        Optional<Rows.StateEntry> source = state.entry(SysPaths.CONTRACT_SOURCE);
        if (source.isEmpty() || source.get().writtenAt() != contractWrittenAt) {
            contractSource = source.flatMap(IndexStateMachine::stringValue).orElse(null);
            contractWrittenAt = source.map(Rows.StateEntry::writtenAt).orElse(-1L);
        }
        Ack replayAck = new Ack(origin.hex(), ack.seq(), ack.ts(), ack.metadata().map(Json::write));
        String opText;
        try {
            opText = Json.decodeUtf8(op.op());
        } catch (MalformedJsonException e) {
            opText = null; // PROTOCOL §3: not a JSON text, so the op fails; no engine is asked
        }
        ApplyOutcome outcome = replay(opText, replayAck, false);
        Decision decision = decide(outcome, tx);
        if (decision != null || outcome instanceof ApplyOutcome.Aborted) {
            // Only a brand-new context's outcome may accuse anyone (or excuse our own limits).
            outcome = replay(opText, replayAck, true);
            decision = decide(outcome, tx);
        }
        boolean stackAbort = outcome instanceof ApplyOutcome.Aborted a && a.reason() == dev.vitra.watchdog.contract.AbortReason.STACK_DEPTH;
        boolean depthAbort = outcome instanceof ApplyOutcome.Aborted a && a.reason() == dev.vitra.watchdog.contract.AbortReason.JSON_DEPTH;
        boolean builtinAbort = outcome instanceof ApplyOutcome.Aborted a && a.reason() == dev.vitra.watchdog.contract.AbortReason.BUILTIN_INPUT;
        if (opText != null && (decision != null || stackAbort || depthAbort || builtinAbort)) {
            // Before accusing anyone: would another conforming engine (another stack, a parser that ignores a BOM)
            // give another outcome? Then it is an engine-dependent divergence (PROTOCOL §4), never fraud.
            java.util.Set<String> features = outcome.engineDependentFeatures();
            Optional<String> why = depthAbort
                    ? Optional.of("its JSON nests deeper than this monitor's limit of "
                            + dev.vitra.watchdog.contract.ContractLimits.MAX_JSON_DEPTH + " levels (an implementation limit)")
                    : builtinAbort
                    ? Optional.of("it hands a built-in an input past this monitor's limit (an implementation limit): "
                            + ((ApplyOutcome.Aborted) outcome).detail())
                    : !features.isEmpty() && decision != null
                    ? Optional.of("the transaction used " + String.join(", ", features) + ", whose results conforming engines"
                            + " may give differently")
                    : replayer.engineDependence(contractSource, state, opText, replayAck, outcome);
            if (why.isPresent()) {
                Facts facts = Facts.builder().put("oplog", origin).put("seq", ack.seq()).put("reason", why.get())
                        .put("replay", Replayer.describe(outcome)).put("executorSuccess", ack.success())
                        .put("executorChanges", ack.numChanges())
                        .putOptional("wouldBe", Optional.ofNullable(decision).map(d -> d.code().name())).build();
                Finding engineDependent = new Finding.Availability(AvailabilityCode.EngineDependentResult,
                        Optional.of(indexLog), OptionalLong.of(tx.at), OptionalLong.empty(), "op " + ack.seq() + " of "
                                + origin.hex() + " (ack at " + tx.at + "): the replay "
                                + (decision != null ? "disagrees with the executor" : "could not finish") + ", but "
                                + why.get() + "; not a breach (PROTOCOL §4), the executor's transaction is taken as published",
                        facts);
                Step.Verified applied = (Step.Verified) apply(tx);
                List<Finding> findings = new ArrayList<>(applied.findings());
                findings.add(0, engineDependent);
                return new Step.Verified(applied.next(), true, findings);
            }
        }
        if (outcome instanceof ApplyOutcome.Aborted aborted) {
            return new Step.Stopped(new Finding.Availability(AvailabilityCode.ReplayAborted, Optional.of(indexLog),
                    OptionalLong.of(tx.at), OptionalLong.empty(), "replaying op " + ack.seq() + " of " + origin.hex()
                            + " (ack at " + tx.at + ") hit a limit of this monitor: " + aborted.reason() + ": "
                            + aborted.detail(),
                    Facts.builder().put("reason", aborted.reason().name()).put("detail", aborted.detail()).build()), tx.at);
        }
        if (decision != null) {
            Facts facts = Facts.builder().put("oplog", origin).put("seq", ack.seq()).putAll(decision.facts()).build();
            FraudProof.Outcome claimed = switch (outcome) {
                case ApplyOutcome.Applied a -> new FraudProof.Outcome(true, a.changes().stream().map(Change::entryJson).toList());
                default -> new FraudProof.Outcome(false, List.of());
            };
            FraudEvidence.ContractAnchor contract = new FraudEvidence.ContractAnchor(
                    new TreeHasher().sha256(contractSource.getBytes(StandardCharsets.UTF_8)), contractWrittenAt);
            return fraud(decision.code(), tx.at, decision.entry(), facts, decision.summary(), new FraudEvidence.Replayed(
                    new FraudEvidence.OpAnchor(origin, ack.seq(), op.op(), op.checkpoint()), contract, ack.numChanges(),
                    claimed));
        }
        return apply(tx);
    }

    private static boolean isJson(String text) {
        try {
            Json.parse(text);
            return true;
        } catch (MalformedJsonException e) {
            return false;
        }
    }

    private ApplyOutcome replay(String opText, Ack ack, boolean fresh) {
        if (opText == null) {
            return new ApplyOutcome.Rejected("op is not valid UTF-8");
        }
        if (contractSource == null) {
            return new ApplyOutcome.Aborted(dev.vitra.watchdog.contract.AbortReason.INTERNAL, "the state has no contract source");
        }
        ApplyOutcome out = fresh ? replayer.applyFresh(contractSource, state, opText, ack)
                : replayer.apply(contractSource, state, opText, ack);
        if (out instanceof ApplyOutcome.Rejected r && r.error().equals("op is not valid JSON") && isJson(opText)) {
            // The JS engine refused to parse an op that is valid JSON: one of its limits (nesting depth), which must
            // never decide an outcome.
            return new ApplyOutcome.Aborted(dev.vitra.watchdog.contract.AbortReason.STACK_DEPTH,
                    "the JavaScript engine could not parse an op that is valid JSON (nested too deep for it)");
        }
        return out;
    }

    /** A disagreement between the replay and the published transaction. */
    private record Decision(FraudCode code, OptionalLong entry, String summary, Facts facts) {
    }

    /** Null when the published transaction is what the replay gives; Aborted outcomes decide nothing. */
    private Decision decide(ApplyOutcome outcome, Transaction tx) {
        String op = "op " + tx.ack.seq() + " of " + tx.ack.origin().hex() + " (ack at " + tx.at + ")";
        switch (outcome) {
            case ApplyOutcome.Aborted a -> {
                return null;
            }
            case ApplyOutcome.Rejected r -> {
                if (!tx.ack.success()) {
                    return null;
                }
                return new Decision(FraudCode.MonitorApplyFailedError, OptionalLong.empty(),
                        "the executor published " + op + " as applied successfully, but the contract rejects it: " + r.error(),
                        Facts.builder().put("executorSuccess", true).put("replayError", r.error()).build());
            }
            case ApplyOutcome.Applied applied -> {
                List<Change> expected = applied.changes();
                if (!tx.ack.success()) {
                    return new Decision(FraudCode.ExecutorApplyFailedError, OptionalLong.empty(),
                            "the executor published " + op + " as failed, but the contract applies it with " + expected.size() + " change(s)",
                            Facts.builder().put("executorSuccess", false).putOptional("executorError", tx.ack.error())
                                    .putStrings("expectedChanges", expected.stream().map(Change::entryJson).toList()).build());
                }
                List<IndexEntry> published = tx.window;
                long k = tx.ack.numChanges();
                int common = Math.min(expected.size(), published.size());
                for (int i = 0; i < common; i++) {
                    if (!sameChange(expected.get(i), published.get(i))) {
                        return new Decision(FraudCode.ChangeMismatchError, OptionalLong.of(tx.at + 1 + i),
                                "change " + i + " of " + op + " is not what the contract produces",
                                Facts.builder().put("position", i).put("expected", expected.get(i).entryJson())
                                        .put("published", tx.windowText.get(i)).build());
                    }
                }
                if (expected.size() > k) {
                    return new Decision(FraudCode.ChangeNotProducedByExecutorError, OptionalLong.empty(),
                            "the contract produces " + expected.size() + " change(s) for " + op + ", the executor published "
                                    + k, Facts.builder().put("position", k).put("expected", expected.get((int) k).entryJson())
                                    .put("expectedCount", expected.size()).put("publishedCount", k).build());
                }
                if (k > expected.size()) {
                    int i = expected.size();
                    return new Decision(FraudCode.ChangeNotProducedByMonitorError, OptionalLong.of(tx.at + 1 + i),
                            "the executor published " + k + " change(s) for " + op + ", the contract produces " + i,
                            Facts.builder().put("position", i).put("published", tx.windowText.get(i))
                                    .put("expectedCount", i).put("publishedCount", k).build());
                }
                return null;
            }
        }
    }

    private static boolean sameChange(Change expected, IndexEntry published) {
        return switch (published) {
            case IndexEntry.Put put -> expected.type() == Change.Type.PUT && expected.path().equals(put.path())
                    && parsedValue(expected).equals(put.value());
            case IndexEntry.Del del -> expected.type() == Change.Type.DEL && expected.path().equals(del.path());
            case IndexEntry.Header h -> false;
        };
    }

    private static JsonValue parsedValue(Change change) {
        try {
            return Json.parse(change.valueJson().orElseThrow());
        } catch (MalformedJsonException e) {
            throw new IllegalStateException("the contract runtime produced a value that is not JSON: " + e.getMessage(), e);
        }
    }

    /** The transaction is verified: its ack and changes become the state, and it may change governance. */
    private Step apply(Transaction tx) {
        List<Finding> notices = new ArrayList<>();
        state.put(SysPaths.ackPath(tx.ack.origin(), tx.ack.seq()), Json.write(tx.ackValue), tx.at);
        for (int i = 0; i < tx.window.size(); i++) {
            long position = tx.at + 1 + i;
            switch (tx.window.get(i)) {
                case IndexEntry.Put put -> {
                    // Only governance needs the value before (a read the store may have to make): not every change.
                    boolean governs = put.path().equals(SysPaths.CONTRACT_SOURCE) || SysPaths.isUnderInputs(put.path());
                    String before = governs ? state.entry(put.path()).map(Rows.StateEntry::valueJson).orElse(null) : null;
                    state.put(put.path(), Json.write(put.value()), position);
                    if (governs) {
                        governance(put, before, position, tx).ifPresent(notices::add);
                    }
                }
                case IndexEntry.Del del -> state.delete(del.path());
                case IndexEntry.Header h -> throw new IllegalStateException("a header in a verified window");
            }
        }
        participants.processed(tx.ack.origin(), tx.ack.seq());
        next = tx.end();
        return new Step.Verified(next, true, notices);
    }

    private Optional<Finding.Notice> governance(IndexEntry.Put put, String before, long position, Transaction tx) {
        if (put.path().equals(SysPaths.CONTRACT_SOURCE)) {
            String sha = stringValue(new Rows.StateEntry(put.path(), Json.write(put.value()), position))
                    .map(s -> new TreeHasher().sha256(s.getBytes(StandardCharsets.UTF_8)).toHex()).orElse("");
            return Optional.of(new Finding.Notice(NoticeCode.ContractSourceChanged, indexLog, position,
                    "the contract source changes at " + position + " (op " + tx.ack.seq() + " of " + tx.ack.origin().hex()
                            + "); new source SHA-256 " + sha,
                    Facts.builder().put("sha256", sha).put("by", tx.ack.origin()).put("ackAt", tx.at).build()));
        }
        Optional<LogId> oplog = SysPaths.parseInputPath(put.path());
        if (oplog.isEmpty()) {
            return Optional.empty();
        }
        boolean active = put.value() instanceof JsonValue.Obj o && JsonValue.TRUE.equals(o.get("active"));
        boolean wasActive = participants.isActive(oplog.get());
        participants.setActive(oplog.get(), active, position);
        if (active == wasActive) {
            return Optional.empty();
        }
        return Optional.of(new Finding.Notice(active ? NoticeCode.ParticipantAdded : NoticeCode.ParticipantRemoved,
                oplog.get(), position, "oplog " + oplog.get().hex() + " is " + (active ? "added as" : "removed as a")
                        + " participant at " + position + " (op " + tx.ack.seq() + " of " + tx.ack.origin().hex() + ")",
                Facts.builder().put("oplog", oplog.get()).put("active", active).put("ackAt", tx.at)
                        .putOptional("previousValue", Optional.ofNullable(before)).build()));
    }

    // ---- findings ----

    private static final FraudEvidence.Basis GENESIS = new FraudEvidence.Direct(new FraudProof.Claim.Genesis());
    private static final FraudEvidence.Basis ACK_DUE = new FraudEvidence.Direct(new FraudProof.Claim.AckDue());

    private static FraudEvidence.Basis window(long entry) {
        return new FraudEvidence.Direct(new FraudProof.Claim.Window(entry));
    }

    private Step fraud(FraudCode code, long at, OptionalLong entry, Facts facts, String summary, FraudEvidence.Basis basis) {
        Map<LogId, SignedCheckpoint> replay = ops.verifiedCheckpoints();
        FraudEvidence.Breach breach = new FraudEvidence.Breach(indexLog, evidence.indexCheckpoint(), code, at, basis, replay);
        open = null;
        return new Step.Stopped(new Finding.Fraud(code, indexLog, OptionalLong.of(at), entry, summary, facts, breach), at);
    }

    private static Facts schema(long entry, String problem, byte[] bytes) {
        return Facts.builder().put("entry", entry).put("problem", problem).put("published", text(bytes)).build();
    }

    private static JsonValue inputValue(LogId id, boolean active) {
        try {
            return Json.parse(IndexEntries.inputValue(id, active));
        } catch (MalformedJsonException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Optional<String> stringValue(Rows.StateEntry entry) {
        try {
            return Json.parse(entry.valueJson()) instanceof JsonValue.Str s ? Optional.of(s.value()) : Optional.empty();
        } catch (MalformedJsonException e) {
            return Optional.empty();
        }
    }

    /** Entry bytes as text for facts: as decoded, or with a note when they are not UTF-8. */
    private static String text(byte[] bytes) {
        try {
            return Json.decodeUtf8(bytes);
        } catch (MalformedJsonException e) {
            return "(not UTF-8) " + java.util.HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, 4096));
        }
    }
}
