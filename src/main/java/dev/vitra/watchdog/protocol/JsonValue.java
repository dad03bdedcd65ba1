package dev.vitra.watchdog.protocol;

import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A JSON value as PROTOCOL §4 compares them. {@code equals} and {@code hashCode} <em>are</em> the protocol's
 * equality: numbers as IEEE-754 doubles ({@code 1} equals {@code 1.0}, {@code -0} equals {@code 0}), strings by
 * UTF-16 code units, arrays in order, objects as sets of members regardless of order. Both are iterative, so a
 * value nested as deeply as a 65,535-byte entry allows compares without exhausting the stack. {@link #toString}
 * writes JSON text ({@link Json#write}).
 */
public sealed interface JsonValue permits JsonValue.Null, JsonValue.Bool, JsonValue.Num, JsonValue.Str, JsonValue.Arr,
        JsonValue.Obj {

    Null NULL = new Null();
    Bool TRUE = new Bool(true);
    Bool FALSE = new Bool(false);

    /** {@code null}. */
    record Null() implements JsonValue {
        @Override
        public String toString() {
            return "null";
        }
    }

    /** {@code true} or {@code false}. */
    record Bool(boolean value) implements JsonValue {
        @Override
        public String toString() {
            return Boolean.toString(value);
        }
    }

    /** A number: the text as written (kept for faithful re-serialisation) and the double it denotes. */
    record Num(String text, double value) implements JsonValue {
        @Override
        public boolean equals(Object o) {
            return o instanceof Num n && n.value == value; // == makes -0.0 equal 0.0; NaN cannot be parsed
        }

        @Override
        public int hashCode() {
            return value == 0 ? 0 : Double.hashCode(value);
        }

        @Override
        public String toString() {
            return text;
        }

        /** The value as a long when it is an integer within ±(2^53 − 1) (JavaScript's safe integers). */
        public java.util.OptionalLong safeInteger() {
            if (value == Math.rint(value) && Math.abs(value) <= Json.MAX_SAFE_INTEGER) {
                return java.util.OptionalLong.of((long) value);
            }
            return java.util.OptionalLong.empty();
        }
    }

    /** A string, escapes decoded (lone surrogates from {@code \\u} escapes are kept). */
    record Str(String value) implements JsonValue {
        @Override
        public String toString() {
            return Json.write(this);
        }
    }

    /** An array. */
    record Arr(List<JsonValue> elements) implements JsonValue {
        public Arr {
            elements = Collections.unmodifiableList(elements);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof JsonValue v && Json.equal(this, v);
        }

        @Override
        public int hashCode() {
            return Json.hash(this);
        }

        @Override
        public String toString() {
            return Json.write(this);
        }
    }

    /** An object; member names are unique (the parser refuses duplicates), insertion order is kept for writing. */
    record Obj(Map<String, JsonValue> members) implements JsonValue {
        public Obj {
            members = Collections.unmodifiableMap(members);
        }

        public JsonValue get(String name) {
            return members.get(name);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof JsonValue v && Json.equal(this, v);
        }

        @Override
        public int hashCode() {
            return Json.hash(this);
        }

        @Override
        public String toString() {
            return Json.write(this);
        }
    }
}
