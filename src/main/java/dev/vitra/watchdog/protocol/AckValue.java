package dev.vitra.watchdog.protocol;

import dev.vitra.watchdog.note.LogId;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The value of an ack entry (PROTOCOL §3):
 * {@code {"success","origin","seq","ts","numChanges","metadata"?,"error"?}}, checked against its path.
 *
 * @param metadata present exactly when the executor's {@code process(op)} returned a value
 * @param error    informative only (engines word errors differently); never compared
 */
public record AckValue(boolean success, LogId origin, long seq, long ts, long numChanges,
        Optional<JsonValue> metadata, Optional<String> error) {
    private static final Set<String> REQUIRED = Set.of("success", "origin", "seq", "ts", "numChanges");
    private static final Set<String> OPTIONAL = Set.of("metadata", "error");

    /** Checks {@code value} as the ack stored under {@code key}'s path. */
    public static AckValue parse(JsonValue value, SysPaths.AckKey key) throws InvalidEntryException {
        if (!(value instanceof JsonValue.Obj obj)) {
            throw new InvalidEntryException("an ack's value must be an object");
        }
        Map<String, JsonValue> m = obj.members();
        for (String name : REQUIRED) {
            if (!m.containsKey(name)) {
                throw new InvalidEntryException("an ack needs \"" + name + "\"");
            }
        }
        for (String name : m.keySet()) {
            if (!REQUIRED.contains(name) && !OPTIONAL.contains(name)) {
                throw new InvalidEntryException("an ack has no member \"" + name + "\"");
            }
        }
        if (!(m.get("success") instanceof JsonValue.Bool success)) {
            throw new InvalidEntryException("an ack's \"success\" must be true or false");
        }
        if (!(m.get("origin") instanceof JsonValue.Str origin) || !origin.value().equals(key.origin().hex())) {
            throw new InvalidEntryException("an ack's \"origin\" must be the origin in its path, " + key.origin().hex());
        }
        long seq = integer(m, "seq", 0);
        if (seq != key.seq()) {
            throw new InvalidEntryException("an ack's \"seq\" is " + seq + " but its path says " + key.seq());
        }
        long ts = integer(m, "ts", -Json.MAX_SAFE_INTEGER);
        long numChanges = integer(m, "numChanges", 0);
        Optional<String> error = Optional.empty();
        if (m.containsKey("error")) {
            if (success.value()) {
                throw new InvalidEntryException("an ack of a successful op has no \"error\"");
            }
            if (!(m.get("error") instanceof JsonValue.Str text)) {
                throw new InvalidEntryException("an ack's \"error\" must be a string");
            }
            error = Optional.of(text.value());
        }
        if (!success.value() && numChanges != 0) {
            throw new InvalidEntryException("a failed op has no changes, but the ack says numChanges " + numChanges);
        }
        return new AckValue(success.value(), key.origin(), seq, ts, numChanges, Optional.ofNullable(m.get("metadata")),
                error);
    }

    private static long integer(Map<String, JsonValue> m, String name, long min) throws InvalidEntryException {
        OptionalLong v = m.get(name) instanceof JsonValue.Num n ? n.safeInteger() : OptionalLong.empty();
        if (v.isEmpty() || v.getAsLong() < min) {
            throw new InvalidEntryException("an ack's \"" + name + "\" must be an integer "
                    + (min == 0 ? "from 0 to 2^53-1" : "within ±(2^53-1)") + ", got " + m.get(name));
        }
        return v.getAsLong();
    }
}
