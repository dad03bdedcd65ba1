package dev.vitra.watchdog.evidence;

import dev.vitra.watchdog.evidence.FraudProof.Claim;
import dev.vitra.watchdog.evidence.FraudProof.ProvenEntry;
import dev.vitra.watchdog.merkle.ConsistencyProof;
import dev.vitra.watchdog.merkle.MerkleVerifier;
import dev.vitra.watchdog.merkle.ProofException;
import dev.vitra.watchdog.merkle.TreeHasher;
import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.note.MalformedNoteException;
import dev.vitra.watchdog.note.NoteVerificationException;
import dev.vitra.watchdog.note.SignedCheckpoint;
import dev.vitra.watchdog.protocol.AckValue;
import dev.vitra.watchdog.protocol.IndexEntries;
import dev.vitra.watchdog.protocol.IndexEntry;
import dev.vitra.watchdog.protocol.InvalidEntryException;
import dev.vitra.watchdog.protocol.JsonValue;
import dev.vitra.watchdog.protocol.SysPaths;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks a fraud proof offline, in the order docs/evidence.md lists ("Checking a proof"): signatures against keys
 * derived from the log ids, every inclusion and consistency proof, then that the entries say what the claim says
 * and lead to exactly its code. What only a replay can confirm is listed, not assumed. Pure: no I/O, no clock.
 */
public final class ProofVerifier {
    /** The first position an ack can have: after header, contract, one input and the seal. */
    static final long FIRST_ACK = 4;

    private ProofVerifier() {
    }

    /**
     * A proof that holds offline: what it proves, what {@code --replay} must still confirm (possibly nothing), and what
     * no proof of this kind can rule out (possibly nothing), so that nobody reads more into it than it shows.
     */
    public record Verified(FraudProof proof, List<String> proven, List<String> needsReplay, List<String> unless) {
        public Verified {
            proven = List.copyOf(proven);
            needsReplay = List.copyOf(needsReplay);
            unless = List.copyOf(unless);
        }
    }

    /** Parses and checks a proof document. */
    public static Verified verify(byte[] document) throws InvalidProofException {
        return verify(ProofCodec.parse(document));
    }

    public static Verified verify(FraudProof proof) throws InvalidProofException {
        return switch (proof) {
            case FraudProof.LogFork f -> fork(f);
            case FraudProof.Breach b -> new BreachCheck(b).run();
        };
    }

    // ---- log forks ----

    private static Verified fork(FraudProof.LogFork f) throws InvalidProofException {
        SignedCheckpoint smaller = open(f.log(), f.smaller(), "smaller");
        SignedCheckpoint larger = open(f.log(), f.larger(), "larger");
        if (smaller.size() > larger.size()) {
            throw new InvalidProofException("smaller", "size " + smaller.size() + " is more than the larger note's "
                    + larger.size());
        }
        if (smaller.size() == larger.size()
                && java.util.Arrays.compareUnsigned(smaller.checkpoint().root().bytes(), larger.checkpoint().root().bytes()) >= 0) {
            // One document per pair: for equal sizes the note with the lower root (unsigned bytes) comes first.
            throw new InvalidProofException("smaller", "for equal sizes the note with the lower root is \"smaller\"");
        }
        try {
            new ForkEvidence(f.log(), smaller, larger, f.prefixRoot(),
                    new ConsistencyProof(smaller.size(), larger.size(), f.consistencyProof()));
        } catch (IllegalArgumentException e) {
            throw new InvalidProofException("consistencyProof", e.getMessage());
        }
        String what = smaller.size() == larger.size()
                ? "log " + f.log().hex() + " signed two checkpoints of size " + smaller.size() + " with different roots"
                : "log " + f.log().hex() + " signed a checkpoint of size " + larger.size() + " whose first "
                        + smaller.size() + " entries have root " + f.prefixRoot().toBase64() + ", and a checkpoint of size "
                        + smaller.size() + " with root " + smaller.checkpoint().root().toBase64();
        return new Verified(f, List.of(what + ": a fork (PROTOCOL §1); whoever holds the log's key signed both"),
                List.of(), List.of());
    }

    static SignedCheckpoint open(LogId log, String note, String where) throws InvalidProofException {
        try {
            SignedCheckpoint checkpoint = SignedCheckpoint.open(note.getBytes(StandardCharsets.UTF_8), log.origin(),
                    List.of(log.verifierKey()));
            if (checkpoint.note().signatures().size() != 1) {
                throw new InvalidProofException(where, "a note in a proof carries exactly one signature line, the log's;"
                        + " this one has " + checkpoint.note().signatures().size());
            }
            return checkpoint;
        } catch (MalformedNoteException e) {
            throw new InvalidProofException(where, "not a checkpoint note: " + e.getMessage());
        } catch (NoteVerificationException e) {
            throw new InvalidProofException(where, "not a checkpoint signed by log " + log.hex() + ": " + e.getMessage());
        }
    }

    // ---- contract breaches ----

    private static final class BreachCheck {
        private final FraudProof.Breach b;
        private final Map<Long, byte[]> entries = new TreeMap<>();
        private final List<String> proven = new ArrayList<>();
        private final List<String> needsReplay = new ArrayList<>();
        private final List<String> unless = new ArrayList<>();
        private SignedCheckpoint checkpoint;

        BreachCheck(FraudProof.Breach b) {
            this.b = b;
        }

        Verified run() throws InvalidProofException {
            checkpoint = open(b.index(), b.checkpoint(), "checkpoint");
            if (b.replayCheckpoints().containsKey(b.index())) {
                throw new InvalidProofException("replayCheckpoints", "names the index log itself");
            }
            Set<Long> required = requiredPositions();
            checkEntries(required);
            // Only the header makes a log an index: without it any oplog could be "proven" a broken index.
            if (!isHeader(entry(0))) {
                throw new InvalidProofException("entries[0]", "entry 0 is not the " + IndexEntries.PROTOCOL
                        + " header: the log does not claim to be a Vitra index");
            }
            for (LogId oplog : b.replayCheckpoints().keySet().stream().sorted(java.util.Comparator.comparing(LogId::hex))
                    .toList()) {
                open(oplog, b.replayCheckpoints().get(oplog), "replayCheckpoints." + oplog.hex());
            }
            proven.add("log " + b.index().hex() + ", taken as an index log (its entry 0 is the header; that it is a"
                    + " database's index comes from whoever points you at it), signed a checkpoint of size " + checkpoint.size()
                    + " that includes entries " + positions(required) + " as carried in this proof");
            FraudCode found = switch (b.claim()) {
                case Claim.Genesis g -> genesis();
                case Claim.AckDue a -> ackDue();
                case Claim.Window w -> window(w);
                case Claim.Participant p -> participant(p);
                case Claim.Order o -> order(o);
                case Claim.Replay r -> replay(r);
            };
            if (found != b.code()) {
                throw new InvalidProofException("code", "the entries show " + found + ", the proof claims " + b.code());
            }
            if (b.stage() != FraudProof.Stage.GENESIS) {
                needsReplay.add(0, "entry " + b.at() + " is where PROTOCOL §3 puts an ack (the transactions from the"
                        + " genesis seal up to it are laid out as their acks say)");
            }
            return new Verified(b, proven, needsReplay, unless);
        }

        /** The entries this stage's claim rests on: exactly these, no more (docs/evidence.md, "Stages"). */
        private Set<Long> requiredPositions() throws InvalidProofException {
            Set<Long> out = new java.util.TreeSet<>();
            out.add(0L); // the header, always
            long at = b.at();
            if (b.stage() == FraudProof.Stage.GENESIS && at == 0) {
                throw new InvalidProofException("at", "entry 0 is the header; a genesis breach is after it");
            }
            // Genesis is at least a header, a contract, one input and the seal: no ack, and no transaction's change,
            // can be before entry 4 (5 for a change).
            if (b.stage() != FraudProof.Stage.GENESIS && at < FIRST_ACK) {
                throw new InvalidProofException("at", "entry " + at + " is inside genesis, where no ack can be");
            }
            switch (b.claim()) {
                case Claim.Genesis g -> {
                    if (at > ProofCodec.MAX_ENTRIES) {
                        throw new InvalidProofException("at", "a genesis of more than " + ProofCodec.MAX_ENTRIES + " entries");
                    }
                    for (long p = 0; p <= at; p++) {
                        out.add(p);
                    }
                }
                case Claim.AckDue a -> out.add(at);
                case Claim.Window w -> {
                    if (w.entry() <= at || w.entry() - at > ProofCodec.MAX_ENTRIES) {
                        throw new InvalidProofException("claim.entry", w.entry() + " is not inside a window after " + at);
                    }
                    for (long p = at; p <= w.entry(); p++) {
                        out.add(p);
                    }
                }
                case Claim.Participant p -> {
                    out.add(at);
                    if (p.removedAt().isPresent()) {
                        if (p.removedAt().getAsLong() >= at || p.removedAt().getAsLong() <= FIRST_ACK) {
                            throw new InvalidProofException("claim.removedAt", "must be a change of a transaction before the"
                                    + " ack at " + at);
                        }
                        out.add(p.removedAt().getAsLong());
                    }
                }
                case Claim.Order o -> {
                    out.add(at);
                    if (o.shownBy().isPresent()) {
                        if (o.shownBy().getAsLong() >= at || o.shownBy().getAsLong() < FIRST_ACK) {
                            throw new InvalidProofException("claim.shownBy", "must be an ack before the ack at " + at);
                        }
                        out.add(o.shownBy().getAsLong());
                    }
                }
                case Claim.Replay r -> {
                    if (r.contractAt() >= at || r.contractAt() < 1) {
                        throw new InvalidProofException("claim.contractAt", "must be before the ack at " + at);
                    }
                    out.add(r.contractAt());
                    // The ack and its whole window: numChanges comes from the ack, checked below.
                    ProvenEntry ack = b.entries().stream().filter(e -> e.position() == at).findFirst()
                            .orElseThrow(() -> new InvalidProofException("entries", "the ack at " + at + " is missing"));
                    AckValue value = ack(at, ack.data()).orElseThrow(() -> new InvalidProofException("entries",
                            "entry " + at + " is not a valid ack"));
                    if (value.numChanges() > ProofCodec.MAX_ENTRIES) {
                        throw new InvalidProofException("entries", "a window of " + value.numChanges() + " changes");
                    }
                    for (long p = at; p <= at + value.numChanges(); p++) {
                        out.add(p);
                    }
                }
            }
            return out;
        }

        private void checkEntries(Set<Long> required) throws InvalidProofException {
            long size = checkpoint.size();
            long previous = -1;
            TreeHasher hasher = new TreeHasher();
            for (int i = 0; i < b.entries().size(); i++) {
                ProvenEntry e = b.entries().get(i);
                String where = "entries[" + i + "]";
                if (e.position() <= previous) {
                    throw new InvalidProofException(where + ".position", "entries must be in ascending order of position");
                }
                previous = e.position();
                if (!required.contains(e.position())) {
                    throw new InvalidProofException(where + ".position", "entry " + e.position() + " is not one this claim"
                            + " rests on (needed: " + positions(required) + ")");
                }
                if (e.position() >= size) {
                    throw new InvalidProofException(where + ".position", "entry " + e.position()
                            + " is beyond the checkpoint's size " + size);
                }
                try {
                    MerkleVerifier.verifyInclusion(e.position(), size, hasher.leafHash(e.data()), e.proof(),
                            checkpoint.checkpoint().root());
                } catch (ProofException ex) {
                    throw new InvalidProofException(where + ".proof", "entry " + e.position()
                            + " is not included in the signed index checkpoint: " + ex.getMessage());
                }
                entries.put(e.position(), e.data());
            }
            if (entries.size() != required.size()) {
                Set<Long> missing = new java.util.TreeSet<>(required);
                missing.removeAll(entries.keySet());
                throw new InvalidProofException("entries", "missing entries " + positions(missing));
            }
        }

        private byte[] entry(long p) {
            return entries.get(p);
        }

        private static boolean isHeader(byte[] data) {
            try {
                return IndexEntry.parse(data) instanceof IndexEntry.Header h && h.protocol().equals(IndexEntries.PROTOCOL);
            } catch (InvalidEntryException e) {
                return false;
            }
        }

        // -- genesis: PROTOCOL §3's layout, from entry 0 --

        private FraudCode genesis() throws InvalidProofException {
            Set<LogId> inputs = new HashSet<>();
            for (long p = 0; p <= b.at(); p++) {
                Optional<FraudCode> broken = genesisEntry(p, inputs);
                if (broken.isPresent()) {
                    if (p != b.at()) {
                        throw new InvalidProofException("at", "genesis already breaks at entry " + p + ", before " + b.at());
                    }
                    proven.add("genesis breaks at entry " + p + ": " + broken.get() + " (every entry of genesis is carried"
                            + " and proven; nothing needs a replay)");
                    return broken.get();
                }
                if (sealedAt == p && p != b.at()) {
                    throw new InvalidProofException("at", "genesis is sealed at " + p + ", before " + b.at());
                }
            }
            throw new InvalidProofException("at", "genesis entries 0.." + b.at() + " break no rule");
        }

        private long sealedAt = -1;

        private Optional<FraudCode> genesisEntry(long p, Set<LogId> inputs) throws InvalidProofException {
            IndexEntry entry;
            try {
                entry = IndexEntry.parse(entry(p));
            } catch (InvalidEntryException e) {
                return Optional.of(FraudCode.InvalidSchemaError);
            }
            if (p == 0) {
                if (entry instanceof IndexEntry.Header h) {
                    if (!h.protocol().equals(IndexEntries.PROTOCOL)) {
                        throw new InvalidProofException("entries", "the header names protocol " + h.protocol()
                                + ": another protocol is unsupported, not a breach");
                    }
                    return Optional.empty();
                }
                return Optional.of(FraudCode.UnexpectedPathError);
            }
            if (entry instanceof IndexEntry.Header) {
                return Optional.of(FraudCode.InvalidSchemaError);
            }
            if (p == 1) {
                if (entry instanceof IndexEntry.Put put && put.path().equals(SysPaths.CONTRACT_SOURCE)) {
                    return put.value() instanceof JsonValue.Str s && !s.value().isEmpty() ? Optional.empty()
                            : Optional.of(FraudCode.InvalidSchemaError);
                }
                return Optional.of(FraudCode.UnexpectedPathError);
            }
            if (entry instanceof IndexEntry.Put put && SysPaths.isUnderInputs(put.path())) {
                Optional<LogId> id = SysPaths.parseInputPath(put.path());
                if (id.isEmpty() || !isInput(put.value(), id.get(), true) || !inputs.add(id.get())) {
                    return Optional.of(FraudCode.InvalidSchemaError);
                }
                return Optional.empty();
            }
            if (entry instanceof IndexEntry.Put put && put.path().equals(SysPaths.GENESIS_SEAL)) {
                if (!(put.value() instanceof JsonValue.Null)) {
                    return Optional.of(FraudCode.InvalidSchemaError);
                }
                if (inputs.isEmpty()) {
                    return Optional.of(FraudCode.NoGenesisInputsDeclaredError);
                }
                sealedAt = p;
                return Optional.empty();
            }
            return Optional.of(FraudCode.UnexpectedPathError);
        }

        private static boolean isInput(JsonValue value, LogId id, boolean active) {
            return value instanceof JsonValue.Obj o && o.members().size() == 2
                    && new JsonValue.Str(id.hex()).equals(o.get("pubkey"))
                    && (active ? JsonValue.TRUE : JsonValue.FALSE).equals(o.get("active"));
        }

        // -- where an ack is due --

        private FraudCode ackDue() throws InvalidProofException {
            byte[] data = entry(b.at());
            IndexEntry entry;
            try {
                entry = IndexEntry.parse(data);
            } catch (InvalidEntryException e) {
                proven.add("entry " + b.at() + " is not a valid index entry: " + e.getMessage());
                return FraudCode.InvalidSchemaError;
            }
            if (entry instanceof IndexEntry.Header) {
                proven.add("entry " + b.at() + " is a second header");
                return FraudCode.InvalidSchemaError;
            }
            if (!(entry instanceof IndexEntry.Put put) || !SysPaths.isUnderAcks(put.path())) {
                proven.add("entry " + b.at() + " is a change, not an ack: no op produced it");
                return FraudCode.ChangeNotProducedByMonitorError;
            }
            Optional<SysPaths.AckKey> key = SysPaths.parseAckPath(put.path());
            if (key.isEmpty()) {
                proven.add("entry " + b.at() + " puts a malformed ack path");
                return FraudCode.InvalidSchemaError;
            }
            try {
                AckValue.parse(put.value(), key.get());
            } catch (InvalidEntryException e) {
                proven.add("entry " + b.at() + " is a malformed ack: " + e.getMessage());
                return FraudCode.InvalidSchemaError;
            }
            throw new InvalidProofException("entries", "entry " + b.at() + " is a valid ack: nothing is wrong with it");
        }

        // -- inside a window --

        private FraudCode window(Claim.Window w) throws InvalidProofException {
            AckValue ack = validAck(b.at());
            if (w.entry() > b.at() + ack.numChanges()) {
                throw new InvalidProofException("claim.entry", "entry " + w.entry() + " is outside the window of the ack"
                        + " at " + b.at() + " (numChanges " + ack.numChanges() + ")");
            }
            for (long p = b.at() + 1; p < w.entry(); p++) {
                if (changeProblem(entry(p)).isPresent()) {
                    throw new InvalidProofException("claim.entry", "entry " + p + ", before " + w.entry()
                            + ", is already not a change");
                }
            }
            Optional<String> problem = changeProblem(entry(w.entry()));
            if (problem.isEmpty()) {
                throw new InvalidProofException("claim.entry", "entry " + w.entry() + " is a valid change");
            }
            proven.add("entry " + w.entry() + " lies inside the window of the ack at " + b.at() + " (numChanges "
                    + ack.numChanges() + ") but is not a change: " + problem.get());
            return FraudCode.InvalidSchemaError;
        }

        private static Optional<String> changeProblem(byte[] data) {
            IndexEntry entry;
            try {
                entry = IndexEntry.parse(data);
            } catch (InvalidEntryException e) {
                return Optional.of("not a valid entry: " + e.getMessage());
            }
            Optional<String> path = entry.pathIfChange();
            if (path.isEmpty()) {
                return Optional.of("a header");
            }
            return SysPaths.isUnderAcks(path.get()) ? Optional.of("an ack") : Optional.empty();
        }

        // -- participants --

        private FraudCode participant(Claim.Participant c) throws InvalidProofException {
            AckValue ack = validAck(b.at());
            if (!ack.origin().equals(c.origin())) {
                throw new InvalidProofException("claim.origin", "the ack at " + b.at() + " is of " + ack.origin().hex());
            }
            if (c.removedAt().isPresent()) {
                long r = c.removedAt().getAsLong();
                IndexEntry entry = parsedOrThrow(r, "claim.removedAt");
                if (!(entry instanceof IndexEntry.Put put) || !put.path().equals(SysPaths.inputPath(c.origin()))
                        || put.value() instanceof JsonValue.Obj o && JsonValue.TRUE.equals(o.get("active"))) {
                    throw new InvalidProofException("claim.removedAt", "entry " + r + " does not remove " + c.origin().hex());
                }
                proven.add("the ack at " + b.at() + " processes op " + ack.seq() + " of " + c.origin().hex()
                        + ", which entry " + r + " removed as a participant");
                needsReplay.add("no entry between " + r + " and " + b.at() + " adds " + c.origin().hex() + " again");
            } else {
                proven.add("the ack at " + b.at() + " processes op " + ack.seq() + " of " + c.origin().hex());
                needsReplay.add(c.origin().hex() + " is not a participant at " + b.at()
                        + " (no genesis input or transaction before it adds it)");
            }
            return FraudCode.NonParticipantError;
        }

        // -- order --

        private FraudCode order(Claim.Order c) throws InvalidProofException {
            AckValue ack = validAck(b.at());
            if (!ack.origin().equals(c.origin()) || ack.seq() != c.seq()) {
                throw new InvalidProofException("claim", "the ack at " + b.at() + " is of op " + ack.seq() + " of "
                        + ack.origin().hex());
            }
            long s = c.seq();
            String origin = c.origin().hex();
            if (c.shownBy().isEmpty()) {
                if (s == 0) {
                    throw new InvalidProofException("claim.shownBy", "op 0 as the first op of " + origin + " is in order");
                }
                proven.add("the ack at " + b.at() + " processes op " + s + " of " + origin);
                needsReplay.add("no ack of op 0 of " + origin + " comes before " + b.at() + ", so op 0 was skipped");
                return FraudCode.ProcessedOutOfOrderError;
            }
            long q = c.shownBy().getAsLong();
            AckValue earlier = validAck(q);
            if (!earlier.origin().equals(c.origin())) {
                throw new InvalidProofException("claim.shownBy", "the ack at " + q + " is of another oplog");
            }
            if (earlier.seq() == s) {
                proven.add("op " + s + " of " + origin + " is acknowledged twice, at " + q + " and at " + b.at()
                        + " (PROTOCOL §3: every op exactly once)");
                return FraudCode.ProcessedOutOfOrderError;
            }
            if (earlier.seq() >= s - 1) {
                throw new InvalidProofException("claim.shownBy", "the ack at " + q + " is of op " + earlier.seq()
                        + ": it shows neither a repeat of op " + s + " nor a skipped op before it");
            }
            long skipped = earlier.seq() + 1;
            proven.add("the ack at " + b.at() + " processes op " + s + " of " + origin + "; the ack at " + q
                    + " processed op " + earlier.seq());
            needsReplay.add("no ack of op " + skipped + " lies between " + q + " and " + b.at() + ", so op " + skipped
                    + " was skipped");
            return FraudCode.ProcessedOutOfOrderError;
        }

        // -- replay --

        private FraudCode replay(Claim.Replay c) throws InvalidProofException {
            AckValue ack = validAck(b.at());
            FraudProof.ProvenOp op = c.op();
            if (!ack.origin().equals(op.oplog()) || ack.seq() != op.seq()) {
                throw new InvalidProofException("claim.op", "the ack at " + b.at() + " is of op " + ack.seq() + " of "
                        + ack.origin().hex());
            }
            requireReplayCheckpoint(op.oplog());
            SignedCheckpoint opCheckpoint = open(op.oplog(), op.checkpoint(), "claim.op.checkpoint");
            if (op.seq() >= opCheckpoint.size()) {
                throw new InvalidProofException("claim.op.seq", "op " + op.seq() + " is beyond the oplog checkpoint's size "
                        + opCheckpoint.size());
            }
            try {
                MerkleVerifier.verifyInclusion(op.seq(), opCheckpoint.size(), new TreeHasher().leafHash(op.data()), op.proof(),
                        opCheckpoint.checkpoint().root());
            } catch (ProofException e) {
                throw new InvalidProofException("claim.op.proof", "the op is not included in the signed oplog checkpoint: "
                        + e.getMessage());
            }
            IndexEntry contract = parsedOrThrow(c.contractAt(), "claim.contractAt");
            if (!(contract instanceof IndexEntry.Put put) || !put.path().equals(SysPaths.CONTRACT_SOURCE)
                    || !(put.value() instanceof JsonValue.Str source)) {
                throw new InvalidProofException("claim.contractAt", "entry " + c.contractAt() + " does not set the contract");
            }
            if (!new TreeHasher().sha256(source.value().getBytes(StandardCharsets.UTF_8)).equals(c.contractSha256())) {
                throw new InvalidProofException("claim.contractSha256", "not the SHA-256 of the source entry "
                        + c.contractAt() + " sets");
            }
            List<IndexEntry> published = new ArrayList<>();
            for (long p = b.at() + 1; p <= b.at() + ack.numChanges(); p++) {
                if (changeProblem(entry(p)).isPresent()) {
                    throw new InvalidProofException("entries", "entry " + p + " in the window is not a change (a window"
                            + " problem, not a replay one)");
                }
                published.add(parsedOrThrow(p, "entries"));
            }
            List<IndexEntry> expected = new ArrayList<>();
            for (int i = 0; i < c.outcome().changes().size(); i++) {
                IndexEntry change;
                try {
                    change = IndexEntry.parse(c.outcome().changes().get(i).getBytes(StandardCharsets.UTF_8));
                } catch (InvalidEntryException e) {
                    throw new InvalidProofException("claim.outcome.changes[" + i + "]", "not a change entry: " + e.getMessage());
                }
                Optional<String> problem = outcomeChangeProblem(change, c.outcome().changes().get(i));
                if (problem.isPresent()) {
                    throw new InvalidProofException("claim.outcome.changes[" + i + "]", "not a change a contract can"
                            + " produce: " + problem.get());
                }
                expected.add(change);
            }
            String opName = "op " + op.seq() + " of " + op.oplog().hex();
            proven.add("the ack at " + b.at() + " publishes " + opName + " as " + (ack.success() ? "successful with "
                    + ack.numChanges() + " change(s)" : "failed") + "; the op is in its oplog's signed checkpoint of size "
                    + opCheckpoint.size() + "; the contract in force was set at " + c.contractAt() + " (SHA-256 "
                    + c.contractSha256().toHex() + ")");
            needsReplay.add("the contract set at " + c.contractAt() + " is still in force at " + b.at());
            needsReplay.add("on a fresh instance, with the state before " + b.at() + ", the contract "
                    + (c.outcome().success() ? "applies " + opName + " with the " + expected.size() + " change(s) claimed"
                            : "rejects " + opName));
            FraudCode code = decide(ack, published, c.outcome().success(), expected);
            proven.add("that outcome and the published transaction differ: " + code);
            // PROTOCOL §3: an ack names its op by oplog and seq, not by the op's hash.
            unless.add("a participant signed another version of its oplog (a fork) and the executor processed that one:"
                    + " acks name ops by seq, not by hash, so the replay reads the ops these checkpoints sign; an executor"
                    + " rebuts this proof by showing the other signed checkpoint, which proves the participant's fork");
            return code;
        }

        /**
         * Why a change could not come from a contract (PROTOCOL §4): a normalised path other than {@code /}; under
         * {@code /.sys} only the puts governance makes ({@code /.sys/inputs/<id>}, {@code /.sys/contract/source}).
         */
        private static Optional<String> outcomeChangeProblem(IndexEntry change, String text) {
            Optional<String> path = change.pathIfChange();
            if (path.isEmpty()) {
                return Optional.of("a header");
            }
            String spelled = switch (change) {
                case IndexEntry.Put put -> "{\"type\":\"put\",\"path\":" + dev.vitra.watchdog.util.JsonText.quote(put.path())
                        + ",\"value\":" + CanonicalJson.asJavaScriptWrites(put.value()) + "}";
                case IndexEntry.Del del -> "{\"type\":\"del\",\"path\":" + dev.vitra.watchdog.util.JsonText.quote(del.path()) + "}";
                case IndexEntry.Header h -> "";
            };
            if (!spelled.equals(text)) {
                return Optional.of("not written as JSON.stringify({type, path, value}) writes it");
            }
            String p = path.get();
            if (!p.startsWith("/") || p.equals("/") || p.endsWith("/") || p.contains("//")) {
                return Optional.of("path " + p + " is not normalised");
            }
            if (p.equals("/.sys") || p.startsWith("/.sys/")) {
                boolean governance = change instanceof IndexEntry.Put put
                        && (p.equals(SysPaths.CONTRACT_SOURCE) && put.value() instanceof JsonValue.Str s && !s.value().isEmpty()
                                || SysPaths.parseInputPath(p).map(id -> isInput(put.value(), id, true)
                                        || isInput(put.value(), id, false)).orElse(false));
                if (!governance) {
                    return Optional.of("a contract writes under /.sys only through addOplog, removeOplog and"
                            + " setContractSource, with their values");
                }
            }
            return Optional.empty();
        }

        /** PROTOCOL §5's comparison, position by position. */
        private static FraudCode decide(AckValue ack, List<IndexEntry> published, boolean success,
                List<IndexEntry> expected) throws InvalidProofException {
            if (!success) {
                if (!ack.success()) {
                    throw new InvalidProofException("claim.outcome", "the executor failed the op too: they agree");
                }
                return FraudCode.MonitorApplyFailedError;
            }
            if (!ack.success()) {
                return FraudCode.ExecutorApplyFailedError;
            }
            int common = Math.min(expected.size(), published.size());
            for (int i = 0; i < common; i++) {
                if (!expected.get(i).equals(published.get(i))) {
                    return FraudCode.ChangeMismatchError;
                }
            }
            if (expected.size() > published.size()) {
                return FraudCode.ChangeNotProducedByExecutorError;
            }
            if (published.size() > expected.size()) {
                return FraudCode.ChangeNotProducedByMonitorError;
            }
            throw new InvalidProofException("claim.outcome", "the claimed outcome is what was published: it proves nothing");
        }

        // -- helpers --

        private void requireReplayCheckpoint(LogId oplog) throws InvalidProofException {
            if (!b.replayCheckpoints().containsKey(oplog)) {
                throw new InvalidProofException("replayCheckpoints", "no checkpoint of " + oplog.hex()
                        + ", the oplog the claim is about");
            }
        }

        private IndexEntry parsedOrThrow(long p, String where) throws InvalidProofException {
            try {
                return IndexEntry.parse(entry(p));
            } catch (InvalidEntryException e) {
                throw new InvalidProofException(where, "entry " + p + " is not a valid index entry: " + e.getMessage());
            }
        }

        private AckValue validAck(long p) throws InvalidProofException {
            return ack(p, entry(p)).orElseThrow(() -> new InvalidProofException("entries", "entry " + p
                    + " is not a valid ack"));
        }

        private static Optional<AckValue> ack(long p, byte[] data) {
            try {
                if (IndexEntry.parse(data) instanceof IndexEntry.Put put) {
                    Optional<SysPaths.AckKey> key = SysPaths.parseAckPath(put.path());
                    if (key.isPresent()) {
                        return Optional.of(AckValue.parse(put.value(), key.get()));
                    }
                }
            } catch (InvalidEntryException e) {
                return Optional.empty();
            }
            return Optional.empty();
        }

        private static String positions(Set<Long> positions) {
            if (positions.size() <= 6) {
                return positions.toString();
            }
            List<Long> list = List.copyOf(positions);
            return list.get(0) + ".." + list.get(list.size() - 1) + " (" + list.size() + " entries)";
        }
    }
}
