package dev.vitra.watchdog.protocol;

import dev.vitra.watchdog.util.JsonText;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON as the protocol reads it (PROTOCOL §3, §4): strict RFC 8259 text over strict UTF-8, exactly one value and
 * nothing after it, no duplicate member names; no depth limit of its own (parsing, comparing and writing are
 * iterative, so nesting is bounded only by the input's size, never by a stack). Jackson's defaults differ on
 * every one of these points, which is why the protocol does not use it. Pure.
 */
public final class Json {
    /** 2^53 − 1: the largest integer a JavaScript number holds exactly. */
    public static final long MAX_SAFE_INTEGER = (1L << 53) - 1;

    private Json() {
    }

    /** Decodes strict UTF-8 (no overlongs, no encoded surrogates, nothing above U+10FFFF) and parses one value. */
    public static JsonValue parse(byte[] utf8) throws MalformedJsonException {
        return parse(decodeUtf8(utf8));
    }

    /** Parses exactly one JSON value, with optional JSON whitespace around it. */
    public static JsonValue parse(String text) throws MalformedJsonException {
        return new Parser(text).parseDocument();
    }

    /** Strict UTF-8 decoding; the error names the first bad byte's offset. */
    public static String decodeUtf8(byte[] utf8) throws MalformedJsonException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(utf8);
        try {
            return decoder.decode(in).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedJsonException("not valid UTF-8 at byte " + in.position(), in.position());
        }
    }

    /** PROTOCOL §4 equality, iteratively (see {@link JsonValue}). */
    public static boolean equal(JsonValue a, JsonValue b) {
        Deque<JsonValue[]> work = new ArrayDeque<>();
        work.push(new JsonValue[] {a, b});
        while (!work.isEmpty()) {
            JsonValue[] pair = work.pop();
            JsonValue x = pair[0];
            JsonValue y = pair[1];
            if (x == y) {
                continue;
            }
            switch (x) {
                case JsonValue.Arr ax -> {
                    if (!(y instanceof JsonValue.Arr ay) || ax.elements().size() != ay.elements().size()) {
                        return false;
                    }
                    for (int i = 0; i < ax.elements().size(); i++) {
                        work.push(new JsonValue[] {ax.elements().get(i), ay.elements().get(i)});
                    }
                }
                case JsonValue.Obj ox -> {
                    if (!(y instanceof JsonValue.Obj oy) || ox.members().size() != oy.members().size()) {
                        return false;
                    }
                    for (Map.Entry<String, JsonValue> m : ox.members().entrySet()) {
                        JsonValue other = oy.members().get(m.getKey());
                        if (other == null) {
                            return false;
                        }
                        work.push(new JsonValue[] {m.getValue(), other});
                    }
                }
                default -> {
                    if (!x.equals(y)) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /** A hash consistent with {@link #equal}: member order does not matter, numbers hash by value. */
    static int hash(JsonValue root) {
        // Post-order over an explicit stack: a container's hash combines its children's once they are known.
        Deque<HashFrame> stack = new ArrayDeque<>();
        stack.push(new HashFrame(root));
        while (true) {
            HashFrame top = stack.peek();
            if (top.children != null && top.children.hasNext()) {
                Object next = top.children.next();
                stack.push(new HashFrame(next instanceof Map.Entry<?, ?> e ? (JsonValue) e.getValue() : (JsonValue) next));
                continue;
            }
            stack.pop();
            int h = top.finish();
            if (stack.isEmpty()) {
                return h;
            }
            stack.peek().childHashes.add(h);
        }
    }

    private static final class HashFrame {
        final JsonValue value;
        final Iterator<?> children;
        final List<Integer> childHashes = new ArrayList<>();

        HashFrame(JsonValue value) {
            this.value = value;
            this.children = switch (value) {
                case JsonValue.Arr a -> a.elements().iterator();
                case JsonValue.Obj o -> o.members().entrySet().iterator();
                default -> null;
            };
        }

        int finish() {
            return switch (value) {
                case JsonValue.Arr a -> {
                    int acc = 1;
                    for (int c : childHashes) {
                        acc = 31 * acc + c;
                    }
                    yield acc;
                }
                case JsonValue.Obj o -> {
                    int acc = 7;
                    int i = 0;
                    for (String name : o.members().keySet()) {
                        acc += name.hashCode() ^ childHashes.get(i++);
                    }
                    yield acc;
                }
                default -> value.hashCode();
            };
        }
    }

    /** JSON text of a value: numbers as written, strings escaped like {@code JSON.stringify}, no whitespace. */
    public static String write(JsonValue value) {
        StringBuilder out = new StringBuilder();
        Deque<Object> work = new ArrayDeque<>();
        work.push(value);
        while (!work.isEmpty()) {
            Object item = work.pop();
            switch (item) {
                case String literal -> out.append(literal);
                case JsonValue.Null n -> out.append("null");
                case JsonValue.Bool b -> out.append(b.value());
                case JsonValue.Num n -> out.append(n.text());
                case JsonValue.Str s -> out.append(JsonText.quote(s.value()));
                case JsonValue.Arr a -> {
                    out.append('[');
                    work.push("]");
                    for (int i = a.elements().size() - 1; i >= 0; i--) {
                        work.push(a.elements().get(i));
                        if (i > 0) {
                            work.push(",");
                        }
                    }
                }
                case JsonValue.Obj o -> {
                    out.append('{');
                    work.push("}");
                    List<Map.Entry<String, JsonValue>> members = new ArrayList<>(o.members().entrySet());
                    for (int i = members.size() - 1; i >= 0; i--) {
                        work.push(members.get(i).getValue());
                        work.push(JsonText.quote(members.get(i).getKey()) + ":");
                        if (i > 0) {
                            work.push(",");
                        }
                    }
                }
                default -> throw new IllegalStateException("unexpected " + item);
            }
        }
        return out.toString();
    }

    /** A recursive-descent grammar run with an explicit stack of open containers. */
    private static final class Parser {
        private final String s;
        private int pos;

        /** An open array or object; for objects, the name of the member whose value is being parsed. */
        private static final class Open {
            final List<JsonValue> elements;
            final Map<String, JsonValue> members;
            final int start;
            String pendingName;

            Open(boolean object, int start) {
                this.elements = object ? null : new ArrayList<>();
                this.members = object ? new LinkedHashMap<>() : null;
                this.start = start;
            }

            JsonValue close() {
                return members != null ? new JsonValue.Obj(members) : new JsonValue.Arr(elements);
            }
        }

        Parser(String s) {
            this.s = s;
        }

        JsonValue parseDocument() throws MalformedJsonException {
            skipWhitespace();
            JsonValue value = parseValue();
            skipWhitespace();
            if (pos != s.length()) {
                throw error("unexpected " + describe(pos) + " after the JSON value");
            }
            return value;
        }

        private JsonValue parseValue() throws MalformedJsonException {
            Deque<Open> stack = new ArrayDeque<>();
            while (true) {
                // Parse a value (opening containers as needed) ...
                JsonValue value;
                skipWhitespace();
                if (pos >= s.length()) {
                    throw error("unexpected end of input, expected a value");
                }
                char c = s.charAt(pos);
                if (c == '{' || c == '[') {
                    Open open = new Open(c == '{', pos);
                    pos++;
                    skipWhitespace();
                    char closer = c == '{' ? '}' : ']';
                    if (pos < s.length() && s.charAt(pos) == closer) {
                        pos++;
                        value = open.close();
                    } else {
                        stack.push(open);
                        if (open.members != null) {
                            readMemberName(open);
                        }
                        continue;
                    }
                } else {
                    value = parseScalar(c);
                }
                // ... then attach it to the innermost open container, closing containers that end here.
                while (true) {
                    Open top = stack.peek();
                    if (top == null) {
                        return value;
                    }
                    if (top.members != null) {
                        top.members.put(top.pendingName, value);
                    } else {
                        top.elements.add(value);
                    }
                    skipWhitespace();
                    if (pos >= s.length()) {
                        throw error("unexpected end of input inside the " + (top.members != null ? "object" : "array")
                                + " opened at " + top.start);
                    }
                    char sep = s.charAt(pos);
                    char closer = top.members != null ? '}' : ']';
                    if (sep == ',') {
                        pos++;
                        if (top.members != null) {
                            readMemberName(top);
                        }
                        break;
                    }
                    if (sep == closer) {
                        pos++;
                        stack.pop();
                        value = top.close();
                        continue;
                    }
                    throw error("expected ',' or '" + closer + "' but found " + describe(pos));
                }
            }
        }

        private void readMemberName(Open object) throws MalformedJsonException {
            skipWhitespace();
            if (pos >= s.length() || s.charAt(pos) != '"') {
                throw error("expected a member name (a string) but found " + describe(pos));
            }
            int at = pos;
            String name = parseString();
            if (object.members.containsKey(name)) {
                pos = at;
                throw error("duplicate member name " + JsonText.quote(name));
            }
            skipWhitespace();
            if (pos >= s.length() || s.charAt(pos) != ':') {
                throw error("expected ':' after a member name but found " + describe(pos));
            }
            pos++;
            object.pendingName = name;
        }

        private JsonValue parseScalar(char c) throws MalformedJsonException {
            return switch (c) {
                case '"' -> new JsonValue.Str(parseString());
                case 't' -> literal("true", JsonValue.TRUE);
                case 'f' -> literal("false", JsonValue.FALSE);
                case 'n' -> literal("null", JsonValue.NULL);
                default -> {
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        yield parseNumber();
                    }
                    throw error("unexpected " + describe(pos) + ", expected a value");
                }
            };
        }

        private JsonValue literal(String word, JsonValue value) throws MalformedJsonException {
            if (!s.startsWith(word, pos)) {
                throw error("unexpected " + describe(pos) + ", expected a value");
            }
            pos += word.length();
            return value;
        }

        private JsonValue parseNumber() throws MalformedJsonException {
            int start = pos;
            if (s.charAt(pos) == '-') {
                pos++;
            }
            if (pos < s.length() && s.charAt(pos) == '0') {
                pos++;
            } else if (pos < s.length() && s.charAt(pos) >= '1' && s.charAt(pos) <= '9') {
                while (pos < s.length() && isDigit(s.charAt(pos))) {
                    pos++;
                }
            } else {
                throw error("a number needs a digit after '-'");
            }
            if (pos < s.length() && s.charAt(pos) == '.') {
                pos++;
                if (pos >= s.length() || !isDigit(s.charAt(pos))) {
                    throw error("a number needs a digit after '.'");
                }
                while (pos < s.length() && isDigit(s.charAt(pos))) {
                    pos++;
                }
            }
            if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
                pos++;
                if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
                    pos++;
                }
                if (pos >= s.length() || !isDigit(s.charAt(pos))) {
                    throw error("a number needs a digit in its exponent");
                }
                while (pos < s.length() && isDigit(s.charAt(pos))) {
                    pos++;
                }
            }
            String text = s.substring(start, pos);
            // Java's parseDouble rounds to nearest like JavaScript's; too large becomes Infinity, as in JSON.parse.
            return new JsonValue.Num(text, Double.parseDouble(text));
        }

        private String parseString() throws MalformedJsonException {
            int start = pos;
            pos++; // opening quote
            StringBuilder sb = null;
            int runStart = pos;
            while (true) {
                if (pos >= s.length()) {
                    pos = start;
                    throw error("unterminated string");
                }
                char c = s.charAt(pos);
                if (c == '"') {
                    String result = sb == null ? s.substring(runStart, pos) : sb.append(s, runStart, pos).toString();
                    pos++;
                    return result;
                }
                if (c < 0x20) {
                    throw error("unescaped control character " + describe(pos) + " in a string");
                }
                if (c != '\\') {
                    pos++;
                    continue;
                }
                if (sb == null) {
                    sb = new StringBuilder();
                }
                sb.append(s, runStart, pos);
                pos++;
                if (pos >= s.length()) {
                    throw error("unterminated escape");
                }
                char e = s.charAt(pos);
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
                        if (pos + 4 >= s.length()) {
                            throw error("a \\u escape needs four hex digits");
                        }
                        int code = 0;
                        for (int i = 1; i <= 4; i++) {
                            int d = hexValue(s.charAt(pos + i));
                            if (d < 0) {
                                throw error("a \\u escape needs four hex digits");
                            }
                            code = code * 16 + d;
                        }
                        sb.append((char) code);
                        pos += 4;
                    }
                    default -> throw error("invalid escape \\" + e);
                }
                pos++;
                runStart = pos;
            }
        }

        private void skipWhitespace() {
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                    return;
                }
                pos++;
            }
        }

        /** ASCII hex only: Character.digit would also take digits of other scripts. */
        private static int hexValue(char c) {
            if (c >= '0' && c <= '9') {
                return c - '0';
            }
            if (c >= 'a' && c <= 'f') {
                return c - 'a' + 10;
            }
            if (c >= 'A' && c <= 'F') {
                return c - 'A' + 10;
            }
            return -1;
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }

        private String describe(int at) {
            if (at >= s.length()) {
                return "end of input";
            }
            char c = s.charAt(at);
            return c >= 0x20 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
        }

        private MalformedJsonException error(String message) {
            return new MalformedJsonException(message + " (at character " + pos + ")", pos);
        }
    }
}
