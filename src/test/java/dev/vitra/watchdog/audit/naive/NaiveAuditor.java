package dev.vitra.watchdog.audit.naive;

import dev.vitra.watchdog.contract.Ack;
import dev.vitra.watchdog.contract.ApplyOutcome;
import dev.vitra.watchdog.contract.Change;
import dev.vitra.watchdog.contract.Contract;
import dev.vitra.watchdog.contract.ContractEngine;
import dev.vitra.watchdog.contract.ContractLoadException;
import dev.vitra.watchdog.contract.MemoryIndex;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * A deliberately naive, independent reference implementation of the index-log audit
 * (/work/notes/audit-rules.md, refining PROTOCOL §3-§5), for differential testing. Everything is held in memory
 * and recomputed freely; every replay runs on a brand-new contract context ({@code applyFresh}) over an index
 * rebuilt from scratch. It shares no code with the production audit: its own JSON parser, equality and
 * serializer live in this file.
 *
 * <p>Choices where the rules are silent:
 * <ol>
 * <li>Window check order: the window's entries that are present are checked in order first; a malformed one
 *     (or one under /.sys/acks/) is InvalidSchemaError even if the log then ends before a+k; PENDING only when
 *     every present window entry is fine and the log ends before a+k.</li>
 * <li>Position 1: only a <em>put</em> of /.sys/contract/source gets the value check (InvalidSchemaError); a
 *     well-formed <em>del</em> of that path is UnexpectedPathError. Likewise in genesis a del of
 *     /.sys/acks/genesis or under /.sys/inputs/ is UnexpectedPathError (the rules name only puts there).</li>
 * <li>Seal check order: a put of /.sys/acks/genesis whose value is not null is InvalidSchemaError even when no
 *     input was declared; NoGenesisInputsDeclaredError only for a null-valued seal.</li>
 * <li>A log that ends inside genesis (including an empty log) is OK with verifiedUpTo = its length.</li>
 * <li>Verdict fields: UNSUPPORTED has at = 0, verifiedUpTo = 0; PENDING and ABORTED have at = the ack's
 *     position, entry = -1; a genesis failure has at = verifiedUpTo = its position; entry is -1 except for
 *     the three cases the rules name (window InvalidSchemaError, ChangeMismatchError, window-longer
 *     ChangeNotProducedByMonitorError).</li>
 * <li>An op whose bytes are not strict UTF-8 counts as a failed replay without running the engine (the
 *     contract is not even loaded). Otherwise the decoded text is handed to the contract as is (its JSON
 *     syntax, duplicate members included, is JSON.parse's business in the runtime).</li>
 * <li>An oplog id absent from the map is an oplog with no entries: the ack is PENDING.</li>
 * <li>A contract source the runtime refuses to load for its size (ContractLoadException) is ABORTED (a
 *     monitor limit, like the runtime's Aborted outcomes). A source that fails to evaluate is the runtime's
 *     Rejected (the op fails).</li>
 * <li>Entry size is not checked (PROTOCOL §2's 65,535-byte bound is not among the rules' well-formedness
 *     conditions); neither is JSON nesting depth (JSON work runs on big-stack threads; the engine is always
 *     called from the caller's thread so the contract sees the normal stack).</li>
 * <li>The state given to the contract: every accepted put (genesis puts, seal, acks, window puts) with the
 *     position that wrote it; the header (position 0) is not in it. Values are re-serialized from the parsed
 *     value, number text kept as written, every non-ASCII or control character escaped as \\uXXXX. The ack's
 *     metadata is serialized the same way; ts and seq are passed as the longs their integral doubles are.</li>
 * <li>A replayed change value this parser rejects, or a state without a string contract source, cannot
 *     happen with a conforming runtime; either throws IllegalStateException instead of giving a verdict.</li>
 * </ol>
 */
public final class NaiveAuditor {

    /** code: a §5 code, or "OK", "PENDING", "ABORTED", "UNSUPPORTED". See the class comment for the fields. */
    public record Verdict(String code, long at, long entry, long verifiedUpTo) {
    }

    private static final String SOURCE_PATH = "/.sys/contract/source";
    private static final String INPUTS_PREFIX = "/.sys/inputs/";
    private static final String ACKS_PREFIX = "/.sys/acks/";
    private static final String SEAL_PATH = "/.sys/acks/genesis";
    private static final double MAX_SAFE = 9007199254740991.0; // 2^53 - 1

    private NaiveAuditor() {
    }

    public static Verdict audit(List<byte[]> indexEntries, Map<String, List<byte[]>> oplogs, ContractEngine engine) {
        final int n = indexEntries.size();
        // Parse everything up front (null = not strict UTF-8 or not one strict JSON value).
        List<J> parsed = deep(() -> {
            List<J> out = new ArrayList<>();
            for (byte[] b : indexEntries) {
                out.add(parseBytes(b));
            }
            return out;
        });

        // state: path -> (value, position that wrote it)
        TreeMap<String, Stored> state = new TreeMap<>();
        Map<String, Long> next = new HashMap<>();

        // ---------------- Genesis ----------------
        if (n == 0) {
            return ok(n);
        }
        // Position 0: exactly the vitra/1 header, or the log does not claim to be an index (unsupported, never
        // fraud: only the header binds a log to the index role).
        J e0 = parsed.get(0);
        if (!(e0 instanceof JObj o && o.members.get("type") instanceof JStr t && t.s.equals("header")
                && hasExactly(o, "type", "protocol") && o.members.get("protocol") instanceof JStr protocol
                && protocol.s.equals("vitra/1"))) {
            return new Verdict("UNSUPPORTED", 0, -1, 0);
        }
        if (n == 1) {
            return ok(n);
        }
        // Position 1: the contract source.
        J e1 = parsed.get(1);
        if (isPut(e1) && path(e1).equals(SOURCE_PATH)) {
            if (!(value(e1) instanceof JStr src) || src.s.isEmpty()) {
                return fail("InvalidSchemaError", 1, -1, 1);
            }
            state.put(SOURCE_PATH, new Stored(value(e1), 1));
        } else if (isPut(e1) || isDel(e1)) {
            return fail("UnexpectedPathError", 1, -1, 1);
        } else {
            return fail("InvalidSchemaError", 1, -1, 1);
        }
        // Positions 2..: inputs until the seal.
        Set<String> declared = new HashSet<>();
        int pos = 2;
        boolean sealed = false;
        while (pos < n && !sealed) {
            J e = parsed.get(pos);
            if (!isPut(e) && !isDel(e)) {
                return fail("InvalidSchemaError", pos, -1, pos);
            }
            if (isPut(e) && path(e).startsWith(INPUTS_PREFIX)) {
                String id = path(e).substring(INPUTS_PREFIX.length());
                boolean good = isLowerHex64(id)
                        && value(e) instanceof JObj v
                        && hasExactly(v, "pubkey", "active")
                        && v.members.get("pubkey") instanceof JStr pk && pk.s.equals(id)
                        && v.members.get("active") instanceof JBool active && active.b
                        && !declared.contains(id);
                if (!good) {
                    return fail("InvalidSchemaError", pos, -1, pos);
                }
                declared.add(id);
                state.put(path(e), new Stored(value(e), pos));
            } else if (isPut(e) && path(e).equals(SEAL_PATH)) {
                if (!(value(e) instanceof JNull)) {
                    return fail("InvalidSchemaError", pos, -1, pos);
                }
                if (declared.isEmpty()) {
                    return fail("NoGenesisInputsDeclaredError", pos, -1, pos);
                }
                state.put(SEAL_PATH, new Stored(value(e), pos));
                sealed = true;
            } else {
                return fail("UnexpectedPathError", pos, -1, pos);
            }
            pos++;
        }
        if (!sealed) {
            return ok(n); // ends inside genesis: verified so far
        }

        // ---------------- Transactions ----------------
        int a = pos;
        while (a < n) {
            // 1. The ack.
            J ackEntry = parsed.get(a);
            if (!isPut(ackEntry) && !isDel(ackEntry)) {
                return fail("InvalidSchemaError", a, -1, a);
            }
            if (isDel(ackEntry) || !path(ackEntry).startsWith(ACKS_PREFIX)) {
                return fail("ChangeNotProducedByMonitorError", a, -1, a);
            }
            String ackPath = path(ackEntry);
            // path exactly /.sys/acks/<64 lowercase hex>/<15 decimal digits>
            String rest = ackPath.substring(ACKS_PREFIX.length());
            if (rest.length() != 64 + 1 + 15 || rest.charAt(64) != '/'
                    || !isLowerHex64(rest.substring(0, 64)) || !isDigits(rest.substring(65))) {
                return fail("InvalidSchemaError", a, -1, a);
            }
            String pathOrigin = rest.substring(0, 64);
            long pathSeq = Long.parseLong(rest.substring(65));
            if (!(value(ackEntry) instanceof JObj ack)) {
                return fail("InvalidSchemaError", a, -1, a);
            }
            Set<String> allowed = Set.of("success", "origin", "seq", "ts", "numChanges", "metadata", "error");
            boolean shapeOk = allowed.containsAll(ack.members.keySet())
                    && ack.members.keySet().containsAll(List.of("success", "origin", "seq", "ts", "numChanges"));
            if (!shapeOk
                    || !(ack.members.get("success") instanceof JBool success)
                    || !(ack.members.get("origin") instanceof JStr origin) || !origin.s.equals(pathOrigin)
                    || !(ack.members.get("seq") instanceof JNum seqNum) || !isIntegerIn(seqNum.d, 0, MAX_SAFE)
                    || (long) seqNum.d != pathSeq
                    || !(ack.members.get("ts") instanceof JNum tsNum) || !isIntegerIn(tsNum.d, -MAX_SAFE, MAX_SAFE)
                    || !(ack.members.get("numChanges") instanceof JNum kNum) || !isIntegerIn(kNum.d, 0, MAX_SAFE)) {
                return fail("InvalidSchemaError", a, -1, a);
            }
            if (ack.members.containsKey("error") && (!(ack.members.get("error") instanceof JStr) || success.b)) {
                return fail("InvalidSchemaError", a, -1, a);
            }
            long k = (long) kNum.d;
            if (!success.b && k != 0) {
                return fail("InvalidSchemaError", a, -1, a);
            }
            long seq = (long) seqNum.d;
            long ts = (long) tsNum.d;
            String originId = origin.s;

            // 2. The window a+1 .. a+k.
            long last = a + k; // k <= 2^53-1 and a < 2^31: no overflow
            for (long p = a + 1; p <= last && p < n; p++) {
                J w = parsed.get((int) p);
                if (!(isPut(w) || isDel(w)) || path(w).startsWith(ACKS_PREFIX)) {
                    return new Verdict("InvalidSchemaError", a, p, a);
                }
            }
            if (last >= n) {
                return new Verdict("PENDING", a, -1, a);
            }

            // 3. Active participant as of the start of the transaction.
            Stored input = state.get(INPUTS_PREFIX + originId);
            if (input == null || !(input.value instanceof JObj inputObj)
                    || !(inputObj.members.get("active") instanceof JBool active) || !active.b) {
                return fail("NonParticipantError", a, -1, a);
            }

            // 4. In order.
            long expected = next.getOrDefault(originId, 0L);
            if (seq != expected) {
                return fail("ProcessedOutOfOrderError", a, -1, a);
            }

            // 5. The op.
            List<byte[]> oplog = oplogs.get(originId);
            if (oplog == null || seq >= oplog.size()) {
                return new Verdict("PENDING", a, -1, a);
            }
            byte[] opBytes = oplog.get((int) seq);

            // 6. Replay on a fresh instance.
            List<J> window = new ArrayList<>();
            for (long p = a + 1; p <= last; p++) {
                window.add(parsed.get((int) p));
            }
            J metadata = ack.members.get("metadata");
            String opText = decodeStrictUtf8(opBytes);
            ApplyOutcome outcome;
            if (opText == null) {
                outcome = new ApplyOutcome.Rejected("op is not valid UTF-8");
            } else {
                if (!(state.get(SOURCE_PATH) instanceof Stored s) || !(s.value instanceof JStr source)) {
                    throw new IllegalStateException("state has no string contract source");
                }
                Contract contract;
                try {
                    contract = engine.load(source.s);
                } catch (ContractLoadException ex) {
                    return new Verdict("ABORTED", a, -1, a);
                }
                MemoryIndex index = deep(() -> buildIndex(state));
                Optional<String> metadataJson = metadata == null ? Optional.empty()
                        : Optional.of(deep(() -> serialize(metadata)));
                outcome = engine.applyFresh(contract, index, opText, new Ack(originId, seq, ts, metadataJson));
            }
            if (outcome instanceof ApplyOutcome.Aborted) {
                return new Verdict("ABORTED", a, -1, a);
            }
            boolean replayOk = outcome instanceof ApplyOutcome.Applied;
            if (success.b && !replayOk) {
                return fail("MonitorApplyFailedError", a, -1, a);
            }
            if (!success.b && replayOk) {
                return fail("ExecutorApplyFailedError", a, -1, a);
            }
            if (success.b) {
                List<Change> replayed = ((ApplyOutcome.Applied) outcome).changes();
                final int aa = a;
                Verdict mismatch = deep(() -> compare(replayed, window, aa));
                if (mismatch != null) {
                    return mismatch;
                }
            }

            // 7. Accept.
            state.put(ackPath, new Stored(ack, a));
            for (int i = 0; i < window.size(); i++) {
                J w = window.get(i);
                if (isPut(w)) {
                    state.put(path(w), new Stored(value(w), a + 1 + i));
                } else {
                    state.remove(path(w));
                }
            }
            next.put(originId, seq + 1);
            a = (int) (last + 1);
        }
        return ok(n);
    }

    // ---------------------------------------------------------------- audit helpers

    private record Stored(J value, long seq) {
    }

    private static Verdict ok(int n) {
        return new Verdict("OK", -1, -1, n);
    }

    private static Verdict fail(String code, long at, long entry, long verifiedUpTo) {
        return new Verdict(code, at, entry, verifiedUpTo);
    }

    /** Step 6's comparison, or null when the replayed changes equal the window. */
    private static Verdict compare(List<Change> replayed, List<J> window, int a) {
        int r = replayed.size();
        int k = window.size();
        for (int i = 0; i < Math.min(r, k); i++) {
            Change c = replayed.get(i);
            J w = window.get(i);
            boolean same;
            if (c.type() == Change.Type.PUT) {
                if (!isPut(w) || !c.path().equals(path(w))) {
                    same = false;
                } else {
                    J rv = parseString(c.valueJson().orElseThrow());
                    if (rv == null) {
                        throw new IllegalStateException("runtime produced a value that is not JSON: " + c.valueJson());
                    }
                    same = jsonEquals(rv, value(w));
                }
            } else {
                same = isDel(w) && c.path().equals(path(w));
            }
            if (!same) {
                return new Verdict("ChangeMismatchError", a, a + 1 + i, a);
            }
        }
        if (r > k) {
            return new Verdict("ChangeNotProducedByExecutorError", a, -1, a);
        }
        if (k > r) {
            return new Verdict("ChangeNotProducedByMonitorError", a, a + 1 + r, a);
        }
        return null;
    }

    private static MemoryIndex buildIndex(Map<String, Stored> state) {
        MemoryIndex index = new MemoryIndex();
        for (Map.Entry<String, Stored> e : state.entrySet()) {
            index.put(e.getKey(), serialize(e.getValue().value), e.getValue().seq);
        }
        return index;
    }

    /** A well-formed put: exactly type, path, value; type "put"; path a string. */
    private static boolean isPut(J j) {
        return j instanceof JObj o && hasExactly(o, "type", "path", "value")
                && o.members.get("type") instanceof JStr t && t.s.equals("put")
                && o.members.get("path") instanceof JStr;
    }

    /** A well-formed del: exactly type, path; type "del"; path a string. */
    private static boolean isDel(J j) {
        return j instanceof JObj o && hasExactly(o, "type", "path")
                && o.members.get("type") instanceof JStr t && t.s.equals("del")
                && o.members.get("path") instanceof JStr;
    }

    private static String path(J putOrDel) {
        return ((JStr) ((JObj) putOrDel).members.get("path")).s;
    }

    private static J value(J put) {
        return ((JObj) put).members.get("value");
    }

    private static boolean hasExactly(JObj o, String... names) {
        return o.members.size() == names.length && o.members.keySet().containsAll(List.of(names));
    }

    private static boolean isLowerHex64(String s) {
        if (s.length() != 64) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isDigits(String s) {
        if (s.length() != 15) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean isIntegerIn(double d, double min, double max) {
        return !Double.isNaN(d) && !Double.isInfinite(d) && d == Math.floor(d) && d >= min && d <= max;
    }

    /** Runs pure Java work (recursive JSON code) on a thread with a very large stack, and returns its result. */
    private static <T> T deep(Supplier<T> work) {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(null, () -> {
            try {
                result.set(work.get());
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "naive-auditor-json", 1L << 30);
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        Throwable f = failure.get();
        if (f instanceof RuntimeException re) {
            throw re;
        }
        if (f instanceof Error err) {
            throw err;
        }
        if (f != null) {
            throw new IllegalStateException(f);
        }
        return result.get();
    }

    // ---------------------------------------------------------------- JSON: values, parser, equality, writer

    /** A JSON value. Records' own equals is never used for JSON equality: see {@link #jsonEquals}. */
    sealed interface J permits JNull, JBool, JNum, JStr, JArr, JObj {
    }

    record JNull() implements J {
    }

    record JBool(boolean b) implements J {
    }

    /** A number: its text as written and the nearest double (Infinity when too large). */
    record JNum(String text, double d) implements J {
    }

    /** A string as UTF-16 code units (escapes decoded, lone surrogates allowed). */
    record JStr(String s) implements J {
    }

    record JArr(List<J> items) implements J {
    }

    /** Members in document order; names are unique. */
    record JObj(LinkedHashMap<String, J> members) implements J {
    }

    /** Strict UTF-8 (REPORT on anything malformed), or null. */
    static String decodeStrictUtf8(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            return decoder.decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** Strict UTF-8, then exactly one strict JSON value; null when either fails. */
    static J parseBytes(byte[] bytes) {
        String text = decodeStrictUtf8(bytes);
        return text == null ? null : parseString(text);
    }

    /** Exactly one RFC 8259 JSON value with optional whitespace around it, no duplicate names; else null. */
    static J parseString(String text) {
        try {
            Parser p = new Parser(text);
            p.ws();
            J v = p.value();
            p.ws();
            if (p.i != text.length()) {
                throw new Bad();
            }
            return v;
        } catch (Bad e) {
            return null;
        }
    }

    private static final class Bad extends RuntimeException {
        Bad() {
            super(null, null, false, false);
        }
    }

    private static final class Parser {
        private final String s;
        private int i;

        Parser(String s) {
            this.s = s;
        }

        private char peek() {
            if (i >= s.length()) {
                throw new Bad();
            }
            return s.charAt(i);
        }

        private void expect(char c) {
            if (peek() != c) {
                throw new Bad();
            }
            i++;
        }

        void ws() {
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                    i++;
                } else {
                    return;
                }
            }
        }

        J value() {
            char c = peek();
            switch (c) {
                case '{':
                    return object();
                case '[':
                    return array();
                case '"':
                    return new JStr(string());
                case 't':
                    literal("true");
                    return new JBool(true);
                case 'f':
                    literal("false");
                    return new JBool(false);
                case 'n':
                    literal("null");
                    return new JNull();
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        return number();
                    }
                    throw new Bad();
            }
        }

        private void literal(String word) {
            if (!s.startsWith(word, i)) {
                throw new Bad();
            }
            i += word.length();
        }

        private JObj object() {
            expect('{');
            LinkedHashMap<String, J> members = new LinkedHashMap<>();
            ws();
            if (peek() == '}') {
                i++;
                return new JObj(members);
            }
            while (true) {
                ws();
                String name = string();
                ws();
                expect(':');
                ws();
                J v = value();
                if (members.containsKey(name)) {
                    throw new Bad(); // duplicate member name
                }
                members.put(name, v);
                ws();
                char c = peek();
                i++;
                if (c == '}') {
                    return new JObj(members);
                }
                if (c != ',') {
                    throw new Bad();
                }
            }
        }

        private JArr array() {
            expect('[');
            List<J> items = new ArrayList<>();
            ws();
            if (peek() == ']') {
                i++;
                return new JArr(items);
            }
            while (true) {
                ws();
                items.add(value());
                ws();
                char c = peek();
                i++;
                if (c == ']') {
                    return new JArr(items);
                }
                if (c != ',') {
                    throw new Bad();
                }
            }
        }

        private String string() {
            expect('"');
            StringBuilder sb = new StringBuilder();
            while (true) {
                char c = peek();
                i++;
                if (c == '"') {
                    return sb.toString();
                }
                if (c < 0x20) {
                    throw new Bad(); // unescaped control character
                }
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                char e = peek();
                i++;
                switch (e) {
                    case '"' -> sb.append('"');
                    case '\\' -> sb.append('\\');
                    case '/' -> sb.append('/');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> {
                        int code = 0;
                        for (int h = 0; h < 4; h++) {
                            char x = peek();
                            i++;
                            int digit;
                            if (x >= '0' && x <= '9') {
                                digit = x - '0';
                            } else if (x >= 'a' && x <= 'f') {
                                digit = x - 'a' + 10;
                            } else if (x >= 'A' && x <= 'F') {
                                digit = x - 'A' + 10;
                            } else {
                                throw new Bad();
                            }
                            code = code * 16 + digit;
                        }
                        sb.append((char) code);
                    }
                    default -> throw new Bad();
                }
            }
        }

        private JNum number() {
            int start = i;
            if (peek() == '-') {
                i++;
            }
            char c = peek();
            if (c == '0') {
                i++;
            } else if (c >= '1' && c <= '9') {
                digits();
            } else {
                throw new Bad();
            }
            if (i < s.length() && s.charAt(i) == '.') {
                i++;
                if (!(i < s.length() && isDigit(s.charAt(i)))) {
                    throw new Bad();
                }
                digits();
            }
            if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
                i++;
                if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                    i++;
                }
                if (!(i < s.length() && isDigit(s.charAt(i)))) {
                    throw new Bad();
                }
                digits();
            }
            String text = s.substring(start, i);
            return new JNum(text, Double.parseDouble(text));
        }

        private void digits() {
            while (i < s.length() && isDigit(s.charAt(i))) {
                i++;
            }
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }
    }

    /**
     * JSON value equality per audit-rules.md: numbers as doubles (1 == 1.0, -0 == 0), strings by code units,
     * arrays in order, objects as member sets, true/false/null by identity.
     */
    static boolean jsonEquals(J x, J y) {
        if (x instanceof JNull && y instanceof JNull) {
            return true;
        }
        if (x instanceof JBool bx && y instanceof JBool by) {
            return bx.b == by.b;
        }
        if (x instanceof JNum nx && y instanceof JNum ny) {
            return nx.d == ny.d;
        }
        if (x instanceof JStr sx && y instanceof JStr sy) {
            return sx.s.equals(sy.s);
        }
        if (x instanceof JArr ax && y instanceof JArr ay) {
            if (ax.items.size() != ay.items.size()) {
                return false;
            }
            for (int i = 0; i < ax.items.size(); i++) {
                if (!jsonEquals(ax.items.get(i), ay.items.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (x instanceof JObj ox && y instanceof JObj oy) {
            if (ox.members.size() != oy.members.size()) {
                return false;
            }
            for (Map.Entry<String, J> m : ox.members.entrySet()) {
                J other = oy.members.get(m.getKey());
                if (other == null || !jsonEquals(m.getValue(), other)) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }

    /** JSON text JSON.parse reads back to the same value: number text as written, non-ASCII escaped. */
    static String serialize(J v) {
        StringBuilder sb = new StringBuilder();
        write(v, sb);
        return sb.toString();
    }

    private static void write(J v, StringBuilder sb) {
        switch (v) {
            case JNull x -> sb.append("null");
            case JBool b -> sb.append(b.b ? "true" : "false");
            case JNum num -> sb.append(num.text);
            case JStr str -> quote(str.s, sb);
            case JArr arr -> {
                sb.append('[');
                for (int i = 0; i < arr.items.size(); i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    write(arr.items.get(i), sb);
                }
                sb.append(']');
            }
            case JObj obj -> {
                sb.append('{');
                boolean first = true;
                for (Map.Entry<String, J> m : obj.members.entrySet()) {
                    if (!first) {
                        sb.append(',');
                    }
                    first = false;
                    quote(m.getKey(), sb);
                    sb.append(':');
                    write(m.getValue(), sb);
                }
                sb.append('}');
            }
        }
    }

    private static void quote(String s, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                sb.append("\\\"");
            } else if (c == '\\') {
                sb.append("\\\\");
            } else if (c < 0x20 || c > 0x7e) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        sb.append('"');
    }
}
