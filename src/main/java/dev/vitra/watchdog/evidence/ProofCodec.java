package dev.vitra.watchdog.evidence;

import dev.vitra.watchdog.evidence.FraudProof.Claim;
import dev.vitra.watchdog.evidence.FraudProof.Outcome;
import dev.vitra.watchdog.evidence.FraudProof.ProvenEntry;
import dev.vitra.watchdog.evidence.FraudProof.ProvenOp;
import dev.vitra.watchdog.evidence.FraudProof.Stage;
import dev.vitra.watchdog.merkle.Hash;
import dev.vitra.watchdog.merkle.TreeHasher;
import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.protocol.Json;
import dev.vitra.watchdog.protocol.JsonValue;
import dev.vitra.watchdog.protocol.MalformedJsonException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads and writes {@code vitra-fraud-proof/1} documents (docs/evidence.md, "The document"). Writing gives the
 * canonical bytes; reading accepts exactly those: a document that parses but is not byte for byte its own canonical
 * form, has a member too many or too few, or a value of the wrong type or out of range is refused, naming where.
 * Bounds come first, so a hostile document costs at most its (capped) size to refuse.
 */
public final class ProofCodec {
    /** The largest proof accepted: a window of {@code 64 MiB} of changes, base64-encoded, with room to spare. */
    public static final int MAX_BYTES = 96 << 20;
    /** The largest signed note inside a proof (a checkpoint note is a few hundred bytes). */
    public static final int MAX_NOTE_BYTES = 16 << 10;
    /** The most entries one proof carries. */
    public static final int MAX_ENTRIES = 1 << 20;
    /** The most oplog checkpoints a proof names for replay. */
    public static final int MAX_REPLAY_CHECKPOINTS = 1 << 16;
    /** The longest inclusion or consistency proof for a tree of at most 2^63 − 1 leaves (RFC 9162 §2.1.3–4). */
    public static final int MAX_PROOF_HASHES = 126;
    /** Entries are at most 65,535 bytes (PROTOCOL §2). */
    public static final int MAX_ENTRY_BYTES = 65_535;

    private ProofCodec() {
    }

    /** The proof's id: the lowercase hex SHA-256 of its canonical bytes. */
    public static String id(byte[] canonical) {
        return new TreeHasher().sha256(canonical).toHex();
    }

    public static byte[] write(FraudProof proof) {
        return CanonicalJson.write(toJson(proof));
    }

    static JsonValue toJson(FraudProof proof) {
        Map<String, JsonValue> m = new LinkedHashMap<>();
        m.put("format", str(FraudProof.FORMAT));
        m.put("code", str(proof.code().name()));
        switch (proof) {
            case FraudProof.LogFork f -> {
                m.put("kind", str("log-fork"));
                m.put("log", str(f.log().hex()));
                m.put("smaller", str(f.smaller()));
                m.put("larger", str(f.larger()));
                m.put("prefixRoot", str(f.prefixRoot().toBase64()));
                m.put("consistencyProof", hashes(f.consistencyProof()));
            }
            case FraudProof.Breach b -> {
                m.put("kind", str("contract-breach"));
                m.put("stage", str(b.stage().wire()));
                m.put("index", str(b.index().hex()));
                m.put("checkpoint", str(b.checkpoint()));
                m.put("at", num(b.at()));
                m.put("entries", new JsonValue.Arr(b.entries().stream().map(ProofCodec::entry).toList()));
                m.put("claim", claim(b.claim()));
                Map<String, JsonValue> replay = new TreeMap<>();
                b.replayCheckpoints().forEach((log, note) -> replay.put(log.hex(), str(note)));
                m.put("replayCheckpoints", new JsonValue.Obj(new LinkedHashMap<>(replay)));
            }
        }
        return new JsonValue.Obj(m);
    }

    private static JsonValue entry(ProvenEntry e) {
        Map<String, JsonValue> m = new LinkedHashMap<>();
        m.put("position", num(e.position()));
        m.put("data", str(Base64.getEncoder().encodeToString(e.data())));
        m.put("proof", hashes(e.proof()));
        return new JsonValue.Obj(m);
    }

    private static JsonValue claim(Claim claim) {
        Map<String, JsonValue> m = new LinkedHashMap<>();
        switch (claim) {
            case Claim.Genesis g -> {
            }
            case Claim.AckDue a -> {
            }
            case Claim.Window w -> m.put("entry", num(w.entry()));
            case Claim.Participant p -> {
                m.put("origin", str(p.origin().hex()));
                m.put("removedAt", optional(p.removedAt()));
            }
            case Claim.Order o -> {
                m.put("origin", str(o.origin().hex()));
                m.put("seq", num(o.seq()));
                m.put("shownBy", optional(o.shownBy()));
            }
            case Claim.Replay r -> {
                Map<String, JsonValue> op = new LinkedHashMap<>();
                op.put("oplog", str(r.op().oplog().hex()));
                op.put("seq", num(r.op().seq()));
                op.put("data", str(Base64.getEncoder().encodeToString(r.op().data())));
                op.put("checkpoint", str(r.op().checkpoint()));
                op.put("proof", hashes(r.op().proof()));
                m.put("op", new JsonValue.Obj(op));
                m.put("contractAt", num(r.contractAt()));
                m.put("contractSha256", str(r.contractSha256().toHex()));
                Map<String, JsonValue> outcome = new LinkedHashMap<>();
                outcome.put("success", r.outcome().success() ? JsonValue.TRUE : JsonValue.FALSE);
                outcome.put("changes", new JsonValue.Arr(r.outcome().changes().stream().map(ProofCodec::str).toList()));
                m.put("outcome", new JsonValue.Obj(outcome));
            }
        }
        return new JsonValue.Obj(m);
    }

    // ---- reading ----

    /** Parses a proof document, refusing anything but the canonical form of a well-formed proof. */
    public static FraudProof parse(byte[] document) throws InvalidProofException {
        if (document.length > MAX_BYTES) {
            throw new InvalidProofException("size", document.length + " bytes, more than the limit of " + MAX_BYTES);
        }
        JsonValue root;
        try {
            root = Json.parse(document);
        } catch (MalformedJsonException e) {
            throw new InvalidProofException("json", e.getMessage());
        }
        byte[] canonical = CanonicalJson.write(root);
        if (!Arrays.equals(canonical, document)) {
            int at = Arrays.mismatch(canonical, document);
            throw new InvalidProofException("canonical", "the document is not in canonical form (RFC 8785, sorted"
                    + " members, no whitespace); first difference at byte " + at);
        }
        Reader r = new Reader(root, "document");
        String format = r.string("format");
        if (!format.equals(FraudProof.FORMAT)) {
            throw new InvalidProofException("format", "\"" + format + "\", this verifier reads " + FraudProof.FORMAT);
        }
        String kind = r.string("kind");
        return switch (kind) {
            case "log-fork" -> {
                r.only("format", "code", "kind", "log", "smaller", "larger", "prefixRoot", "consistencyProof");
                code(r, Set.of(FraudCode.LogFork));
                yield new FraudProof.LogFork(r.logId("log"), r.note("smaller"), r.note("larger"), r.hash("prefixRoot"),
                        r.hashes("consistencyProof"));
            }
            case "contract-breach" -> breach(r);
            default -> throw new InvalidProofException("kind", "\"" + kind + "\" is neither log-fork nor contract-breach");
        };
    }

    private static FraudProof.Breach breach(Reader r) throws InvalidProofException {
        r.only("format", "code", "kind", "stage", "index", "checkpoint", "at", "entries", "claim", "replayCheckpoints");
        String stageName = r.string("stage");
        Stage stage = Stage.parse(stageName).orElseThrow(() -> new InvalidProofException("stage",
                "\"" + stageName + "\" is not a stage"));
        FraudCode code = code(r, stage.codes());
        LogId index = r.logId("index");
        String checkpoint = r.note("checkpoint");
        long at = r.integer("at");
        List<JsonValue> rawEntries = r.array("entries", MAX_ENTRIES);
        List<ProvenEntry> entries = new ArrayList<>(rawEntries.size());
        for (int i = 0; i < rawEntries.size(); i++) {
            Reader e = r.child(rawEntries.get(i), "entries[" + i + "]");
            e.only("position", "data", "proof");
            entries.add(new ProvenEntry(e.integer("position"), e.bytes("data", MAX_ENTRY_BYTES), e.hashes("proof")));
        }
        Reader c = r.object("claim");
        Claim claim = switch (stage) {
            case GENESIS -> {
                c.only();
                yield new Claim.Genesis();
            }
            case ACK_DUE -> {
                c.only();
                yield new Claim.AckDue();
            }
            case WINDOW -> {
                c.only("entry");
                yield new Claim.Window(c.integer("entry"));
            }
            case PARTICIPANT -> {
                c.only("origin", "removedAt");
                yield new Claim.Participant(c.logId("origin"), c.optionalInteger("removedAt"));
            }
            case ORDER -> {
                c.only("origin", "seq", "shownBy");
                yield new Claim.Order(c.logId("origin"), c.integer("seq"), c.optionalInteger("shownBy"));
            }
            case REPLAY -> {
                c.only("op", "contractAt", "contractSha256", "outcome");
                Reader op = c.object("op");
                op.only("oplog", "seq", "data", "checkpoint", "proof");
                ProvenOp provenOp = new ProvenOp(op.logId("oplog"), op.integer("seq"), op.bytes("data", MAX_ENTRY_BYTES),
                        op.note("checkpoint"), op.hashes("proof"));
                long contractAt = c.integer("contractAt");
                Hash sha = c.hexHash("contractSha256");
                Reader o = c.object("outcome");
                o.only("success", "changes");
                boolean success = o.bool("success");
                List<JsonValue> rawChanges = o.array("changes", MAX_ENTRIES);
                List<String> changes = new ArrayList<>(rawChanges.size());
                for (int i = 0; i < rawChanges.size(); i++) {
                    changes.add(o.stringValue(rawChanges.get(i), "changes[" + i + "]"));
                }
                if (!success && !changes.isEmpty()) {
                    throw new InvalidProofException("claim.outcome.changes", "a failed outcome has no changes");
                }
                yield new Claim.Replay(provenOp, contractAt, sha, new Outcome(success, changes));
            }
        };
        Reader replay = r.object("replayCheckpoints");
        if (replay.size() > MAX_REPLAY_CHECKPOINTS) {
            throw new InvalidProofException("replayCheckpoints", replay.size() + " checkpoints, more than the limit of "
                    + MAX_REPLAY_CHECKPOINTS);
        }
        Map<LogId, String> replayCheckpoints = new HashMap<>();
        for (String name : replay.names()) {
            LogId id;
            try {
                id = LogId.parse(name);
            } catch (IllegalArgumentException e) {
                throw new InvalidProofException("replayCheckpoints", "\"" + shorten(name) + "\" is not a log id");
            }
            replayCheckpoints.put(id, replay.note(name));
        }
        return new FraudProof.Breach(code, index, checkpoint, at, entries, claim, replayCheckpoints);
    }

    private static FraudCode code(Reader r, Set<FraudCode> allowed) throws InvalidProofException {
        String name = r.string("code");
        for (FraudCode c : allowed) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        throw new InvalidProofException("code", "\"" + shorten(name) + "\" is not a code of this kind of proof (one of "
                + allowed.stream().map(Enum::name).sorted().toList() + ")");
    }

    private static String shorten(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "…";
    }

    private static JsonValue str(String s) {
        return new JsonValue.Str(s);
    }

    private static JsonValue num(long n) {
        if (n < 0 || n > Json.MAX_SAFE_INTEGER) {
            throw new IllegalArgumentException(n + " is outside the integers a proof can carry (0 to 2^53 - 1)");
        }
        return new JsonValue.Num(Long.toString(n), n);
    }

    private static JsonValue optional(OptionalLong n) {
        return n.isPresent() ? num(n.getAsLong()) : JsonValue.NULL;
    }

    private static JsonValue hashes(List<Hash> hashes) {
        return new JsonValue.Arr(hashes.stream().map(h -> str(h.toBase64())).toList());
    }

    /** Typed, path-naming access to one object of the document. */
    private static final class Reader {
        private final JsonValue.Obj obj;
        private final String where;

        Reader(JsonValue value, String where) throws InvalidProofException {
            if (!(value instanceof JsonValue.Obj o)) {
                throw new InvalidProofException(where, "must be an object");
            }
            this.obj = o;
            this.where = where;
        }

        Reader child(JsonValue value, String path) throws InvalidProofException {
            return new Reader(value, path);
        }

        int size() {
            return obj.members().size();
        }

        List<String> names() {
            return List.copyOf(obj.members().keySet());
        }

        private String at(String name) {
            return where.equals("document") ? name : where + "." + name;
        }

        /** Exactly these members, no more, no fewer. */
        void only(String... names) throws InvalidProofException {
            Set<String> expected = Set.of(names);
            for (String name : names) {
                if (!obj.members().containsKey(name)) {
                    throw new InvalidProofException(at(name), "missing");
                }
            }
            for (String name : obj.members().keySet()) {
                if (!expected.contains(name)) {
                    throw new InvalidProofException(at(shorten(name)), "not a member of " + where);
                }
            }
        }

        private JsonValue get(String name) throws InvalidProofException {
            JsonValue v = obj.get(name);
            if (v == null) {
                throw new InvalidProofException(at(name), "missing");
            }
            return v;
        }

        Reader object(String name) throws InvalidProofException {
            return new Reader(get(name), at(name));
        }

        String string(String name) throws InvalidProofException {
            return stringValue(get(name), name);
        }

        String stringValue(JsonValue v, String name) throws InvalidProofException {
            if (!(v instanceof JsonValue.Str s)) {
                throw new InvalidProofException(at(name), "must be a string");
            }
            String value = s.value();
            for (int i = 0; i < value.length(); i++) {
                char ch = value.charAt(i);
                if (Character.isHighSurrogate(ch) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                    i++;
                } else if (Character.isSurrogate(ch)) {
                    throw new InvalidProofException(at(name), "contains a lone surrogate (not Unicode text)");
                }
            }
            return value;
        }

        boolean bool(String name) throws InvalidProofException {
            if (!(get(name) instanceof JsonValue.Bool b)) {
                throw new InvalidProofException(at(name), "must be true or false");
            }
            return b.value();
        }

        long integer(String name) throws InvalidProofException {
            return integerValue(get(name), name);
        }

        private long integerValue(JsonValue v, String name) throws InvalidProofException {
            if (!(v instanceof JsonValue.Num n) || !n.text().matches("0|[1-9][0-9]{0,15}")) {
                throw new InvalidProofException(at(name), "must be an integer written in plain decimal");
            }
            long value = Long.parseLong(n.text());
            if (value > Json.MAX_SAFE_INTEGER) {
                throw new InvalidProofException(at(name), value + " is more than 2^53 - 1");
            }
            return value;
        }

        OptionalLong optionalInteger(String name) throws InvalidProofException {
            JsonValue v = get(name);
            return v instanceof JsonValue.Null ? OptionalLong.empty() : OptionalLong.of(integerValue(v, name));
        }

        List<JsonValue> array(String name, int max) throws InvalidProofException {
            if (!(get(name) instanceof JsonValue.Arr a)) {
                throw new InvalidProofException(at(name), "must be an array");
            }
            if (a.elements().size() > max) {
                throw new InvalidProofException(at(name), a.elements().size() + " elements, more than the limit of " + max);
            }
            return a.elements();
        }

        LogId logId(String name) throws InvalidProofException {
            String s = string(name);
            try {
                return LogId.parse(s);
            } catch (IllegalArgumentException e) {
                throw new InvalidProofException(at(name), "not a log id (64 lowercase hex characters)");
            }
        }

        String note(String name) throws InvalidProofException {
            String s = string(name);
            if (s.length() > MAX_NOTE_BYTES || s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_NOTE_BYTES) {
                throw new InvalidProofException(at(name), "a note longer than " + MAX_NOTE_BYTES + " bytes");
            }
            return s;
        }

        byte[] bytes(String name, int max) throws InvalidProofException {
            String s = string(name);
            if (s.length() > (max + 2) / 3 * 4) {
                throw new InvalidProofException(at(name), "more than " + max + " bytes");
            }
            if (s.isEmpty()) {
                return new byte[0];
            }
            try {
                return dev.vitra.watchdog.util.StrictBase64.decode(s, at(name));
            } catch (IllegalArgumentException e) {
                throw new InvalidProofException(at(name), e.getMessage());
            }
        }

        Hash hash(String name) throws InvalidProofException {
            return hashValue(get(name), name);
        }

        private Hash hashValue(JsonValue v, String name) throws InvalidProofException {
            String s = stringValue(v, name);
            if (s.length() != 44) {
                throw new InvalidProofException(at(name), "not a base64 SHA-256 hash (44 characters)");
            }
            try {
                // Strict: a hash has exactly one canonical base64 form, so no bit of a proof is free to change.
                byte[] bytes = dev.vitra.watchdog.util.StrictBase64.decode(s, at(name));
                if (bytes.length != Hash.SIZE) {
                    throw new IllegalArgumentException(bytes.length + " bytes, not " + Hash.SIZE);
                }
                return Hash.fromBytes(bytes, 0);
            } catch (IllegalArgumentException e) {
                throw new InvalidProofException(at(name), "not a base64 SHA-256 hash: " + e.getMessage());
            }
        }

        Hash hexHash(String name) throws InvalidProofException {
            String s = string(name);
            if (!s.matches("[0-9a-f]{64}")) {
                throw new InvalidProofException(at(name), "not a SHA-256 in lowercase hex");
            }
            return Hash.fromHex(s);
        }

        List<Hash> hashes(String name) throws InvalidProofException {
            List<JsonValue> elements = array(name, MAX_PROOF_HASHES);
            List<Hash> out = new ArrayList<>(elements.size());
            for (int i = 0; i < elements.size(); i++) {
                out.add(hashValue(elements.get(i), name + "[" + i + "]"));
            }
            return out;
        }
    }
}
