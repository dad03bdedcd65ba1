package dev.vitra.watchdog.audit;

import dev.vitra.watchdog.merkle.Hash;
import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.note.SignedCheckpoint;
import dev.vitra.watchdog.protocol.Json;
import dev.vitra.watchdog.protocol.JsonValue;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The data a finding carries, as one JSON object with typed names: what was expected and what was found, and the
 * positions (a fraud finding's signed material is in its proof, docs/evidence.md). Stored as written and shown by {@code audit --json};
 * the evidence format (docs/evidence.md) builds on the same names.
 */
public record Facts(JsonValue.Obj json) {
    public static final Facts NONE = new Facts(new JsonValue.Obj(Map.of()));

    public static Builder builder() {
        return new Builder();
    }

    public String write() {
        return Json.write(json);
    }

    /** Builds the object member by member, in order. */
    public static final class Builder {
        private final Map<String, JsonValue> members = new LinkedHashMap<>();

        public Builder put(String name, long value) {
            members.put(name, new JsonValue.Num(Long.toString(value), value));
            return this;
        }

        public Builder put(String name, boolean value) {
            members.put(name, value ? JsonValue.TRUE : JsonValue.FALSE);
            return this;
        }

        public Builder put(String name, String value) {
            members.put(name, new JsonValue.Str(value));
            return this;
        }

        public Builder put(String name, LogId value) {
            return put(name, value.hex());
        }

        public Builder put(String name, Hash value) {
            return put(name, value.toBase64());
        }

        public Builder put(String name, OptionalLong value) {
            value.ifPresent(v -> put(name, v));
            return this;
        }

        public Builder putOptional(String name, Optional<String> value) {
            value.ifPresent(v -> put(name, v));
            return this;
        }

        public Builder putJson(String name, JsonValue value) {
            members.put(name, value);
            return this;
        }

        public Builder putStrings(String name, List<String> values) {
            members.put(name, new JsonValue.Arr(values.stream().map(v -> (JsonValue) new JsonValue.Str(v)).toList()));
            return this;
        }

        /** A checkpoint as evidence: size, root and the signed note byte for byte (as UTF-8 text). */
        public Builder put(String name, SignedCheckpoint checkpoint) {
            return putJson(name, checkpointJson(checkpoint));
        }

        public Builder putAll(Facts other) {
            members.putAll(other.json().members());
            return this;
        }

        public Facts build() {
            return new Facts(new JsonValue.Obj(new LinkedHashMap<>(members)));
        }
    }

    static JsonValue checkpointJson(SignedCheckpoint checkpoint) {
        Map<String, JsonValue> m = new LinkedHashMap<>();
        m.put("size", new JsonValue.Num(Long.toString(checkpoint.size()), checkpoint.size()));
        m.put("root", new JsonValue.Str(checkpoint.checkpoint().root().toBase64()));
        m.put("note", new JsonValue.Str(checkpoint.rawText()));
        return new JsonValue.Obj(m);
    }
}
