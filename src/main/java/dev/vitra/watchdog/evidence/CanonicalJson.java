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
                    Map<String, JsonValue> members = new TreeMap<>();
                    for (String name : o.members().keySet()) {
                        members.put(name, done.pop());
                    }
                    done.push(new JsonValue.Obj(new LinkedHashMap<>(members)));
                }
                default -> done.push(f.value());
            }
        }
        return done.pop();
    }
}
