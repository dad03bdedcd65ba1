package dev.vitra.watchdog.evidence;

import dev.vitra.watchdog.protocol.Json;
import dev.vitra.watchdog.protocol.JsonValue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The canonical bytes of a proof document: RFC 8785 (JSON Canonicalization Scheme) for documents whose numbers are
 * all integers in [0, 2^53−1] — members sorted by name in UTF-16 code-unit order, no whitespace, strings escaped as
 * JSON.stringify escapes them, UTF-8. Any JCS library writes the same bytes, which is what makes a proof's id
 * (the SHA-256 of these bytes) reproducible by anyone.
 */
public final class CanonicalJson {
    private CanonicalJson() {
    }

    public static byte[] write(JsonValue value) {
        return Json.write(sorted(value)).getBytes(StandardCharsets.UTF_8);
    }

    /** A copy with every object's members in canonical order (iterative: no recursion limit on the input). */
    static JsonValue sorted(JsonValue root) {
        return rebuild(root, true, n -> n);
    }

    /**
     * The text {@code JSON.stringify} gives for {@code value} as parsed (members in the order given): numbers
     * written as ECMAScript's Number::toString writes them, strings escaped as JSON.stringify escapes them.
     */
    public static String asJavaScriptWrites(JsonValue value) {
        return Json.write(rebuild(value, false, n -> new JsonValue.Num(javaScriptNumber(n.value()), n.value())));
    }

    /** ECMAScript Number::toString(10) of a finite double (the shortest digits that round-trip, then its layout). */
    static String javaScriptNumber(double d) {
        if (d == 0) {
            return "0";
        }
        String sign = d < 0 ? "-" : "";
        // Since JDK 19 Double.toString gives the shortest decimal that rounds to d, closest to d among those.
        java.math.BigDecimal b = new java.math.BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
        String digits = b.unscaledValue().toString();
        int k = digits.length();
        int n = k - b.scale();
        if (k == 2) {
            // Java may pick a closer 2-digit decimal where a 1-digit one also rounds to d (4.9e-324 for 5e-324);
            // ECMAScript takes the fewest digits, the closest of those, the even one on a tie.
            java.math.BigDecimal exact = new java.math.BigDecimal(Math.abs(d));
            java.math.BigDecimal best = null;
            int tens = digits.charAt(0) - '0';
            for (int c = tens; c <= tens + 1; c++) {
                java.math.BigDecimal candidate = java.math.BigDecimal.valueOf(c).scaleByPowerOfTen(n - 1);
                if (candidate.signum() > 0 && Double.parseDouble(candidate.toString()) == Math.abs(d)) {
                    if (best == null) {
                        best = candidate;
                    } else {
                        int cmp = candidate.subtract(exact).abs().compareTo(best.subtract(exact).abs());
                        if (cmp < 0 || cmp == 0 && c % 2 == 0) {
                            best = candidate;
                        }
                    }
                }
            }
            if (best != null) {
                b = best.stripTrailingZeros();
                digits = b.unscaledValue().toString();
                k = digits.length();
                n = k - b.scale();
            }
        }
        if (k <= n && n <= 21) {
            return sign + digits + "0".repeat(n - k);
        }
        if (0 < n && n <= 21) {
            return sign + digits.substring(0, n) + "." + digits.substring(n);
        }
        if (-6 < n && n <= 0) {
            return sign + "0." + "0".repeat(-n) + digits;
        }
        String exponent = (n - 1 >= 0 ? "+" : "-") + Math.abs(n - 1);
        return sign + digits.charAt(0) + (k == 1 ? "" : "." + digits.substring(1)) + "e" + exponent;
    }

    private static JsonValue rebuild(JsonValue root, boolean sortMembers,
            java.util.function.UnaryOperator<JsonValue.Num> numbers) {
        // Post-order rebuild with an explicit stack.
        record Frame(JsonValue value, boolean expanded) {
        }
        Deque<Frame> work = new ArrayDeque<>();
        Deque<JsonValue> done = new ArrayDeque<>();
        work.push(new Frame(root, false));
        while (!work.isEmpty()) {
            Frame f = work.pop();
            switch (f.value()) {
                case JsonValue.Arr a when !f.expanded() -> {
                    work.push(new Frame(a, true));
                    a.elements().forEach(e -> work.push(new Frame(e, false)));
                }
                case JsonValue.Arr a -> {
                    List<JsonValue> elements = new ArrayList<>(a.elements().size());
                    for (int i = 0; i < a.elements().size(); i++) {
                        elements.add(done.pop());
                    }
                    done.push(new JsonValue.Arr(elements));
                }
                case JsonValue.Obj o when !f.expanded() -> {
                    work.push(new Frame(o, true));
                    o.members().values().forEach(v -> work.push(new Frame(v, false)));
                }
                case JsonValue.Obj o -> {
                    Map<String, JsonValue> members = sortMembers ? new TreeMap<>() : new LinkedHashMap<>();
                    for (String name : o.members().keySet()) {
                        members.put(name, done.pop());
                    }
                    done.push(new JsonValue.Obj(new LinkedHashMap<>(members)));
                }
                case JsonValue.Num n -> done.push(numbers.apply(n));
                default -> done.push(f.value());
            }
        }
        return done.pop();
    }
}
