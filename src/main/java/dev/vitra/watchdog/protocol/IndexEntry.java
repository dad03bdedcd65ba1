package dev.vitra.watchdog.protocol;

import java.util.Map;
import java.util.Set;

/**
 * One index-log entry as PROTOCOL §3 defines it: the header (entry 0 only), a put or a del, each with exactly the
 * members shown there. Anything else (not strict JSON, a missing, extra or mistyped member, another type) fails
 * {@link #parse} with the reason; what that means depends on where the entry is (InvalidSchemaError, mostly).
 */
public sealed interface IndexEntry permits IndexEntry.Header, IndexEntry.Put, IndexEntry.Del {
    record Header(String protocol) implements IndexEntry {
    }

    record Put(String path, JsonValue value) implements IndexEntry {
    }

    record Del(String path) implements IndexEntry {
    }

    /** Path of a put or del; empty for the header. */
    default java.util.Optional<String> pathIfChange() {
        return switch (this) {
            case Put p -> java.util.Optional.of(p.path());
            case Del d -> java.util.Optional.of(d.path());
            case Header h -> java.util.Optional.empty();
        };
    }

    static IndexEntry parse(byte[] entry) throws InvalidEntryException {
        JsonValue value;
        try {
            value = Json.parse(entry);
        } catch (MalformedJsonException e) {
            throw new InvalidEntryException("not a JSON text: " + e.getMessage(), e);
        }
        if (!(value instanceof JsonValue.Obj obj)) {
            throw new InvalidEntryException("not a JSON object");
        }
        Map<String, JsonValue> m = obj.members();
        if (!(m.get("type") instanceof JsonValue.Str type)) {
            throw new InvalidEntryException("\"type\" is missing or not a string");
        }
        switch (type.value()) {
            case "header" -> {
                requireMembers(m, Set.of("type", "protocol"), "a header");
                if (!(m.get("protocol") instanceof JsonValue.Str protocol)) {
                    throw new InvalidEntryException("a header's \"protocol\" must be a string");
                }
                return new Header(protocol.value());
            }
            case "put" -> {
                requireMembers(m, Set.of("type", "path", "value"), "a put");
                return new Put(path(m), m.get("value"));
            }
            case "del" -> {
                requireMembers(m, Set.of("type", "path"), "a del");
                return new Del(path(m));
            }
            default -> throw new InvalidEntryException("\"type\" is " + type + ", not \"put\", \"del\" or \"header\"");
        }
    }

    private static String path(Map<String, JsonValue> m) throws InvalidEntryException {
        if (!(m.get("path") instanceof JsonValue.Str path)) {
            throw new InvalidEntryException("\"path\" must be a string");
        }
        return path.value();
    }

    private static void requireMembers(Map<String, JsonValue> m, Set<String> exactly, String what)
            throws InvalidEntryException {
        if (!m.keySet().equals(exactly)) {
            throw new InvalidEntryException(what + " has exactly the members " + new java.util.TreeSet<>(exactly)
                    + ", this one has " + m.keySet());
        }
    }
}
