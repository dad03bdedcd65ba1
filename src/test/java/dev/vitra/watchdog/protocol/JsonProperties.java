package dev.vitra.watchdog.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vitra.watchdog.testing.Mutator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class JsonProperties {
    /** A random JSON value with random formatting choices (number spellings, escapes, whitespace). */
    private static JsonValue randomValue(Random r, int depth) {
        int kind = depth > 4 ? r.nextInt(4) : r.nextInt(6);
        return switch (kind) {
            case 0 -> JsonValue.NULL;
            case 1 -> r.nextBoolean() ? JsonValue.TRUE : JsonValue.FALSE;
            case 2 -> {
                String[] numbers = {"0", "-0", "1", "1.0", "1e0", "-12.5e-3", "123456789012345678901234567890", "1E+2",
                    "0.1", "3.141592653589793", "1e400", "-1e-400"};
                String text = numbers[r.nextInt(numbers.length)];
                yield new JsonValue.Num(text, Double.parseDouble(text));
            }
            case 3 -> {
                StringBuilder sb = new StringBuilder();
                for (int i = r.nextInt(6); i > 0; i--) {
                    sb.append((char) (r.nextInt(4) == 0 ? r.nextInt(0x10000) : 0x20 + r.nextInt(0x5f)));
                }
                yield new JsonValue.Str(sb.toString());
            }
            case 4 -> {
                List<JsonValue> elements = new ArrayList<>();
                for (int i = r.nextInt(4); i > 0; i--) {
                    elements.add(randomValue(r, depth + 1));
                }
                yield new JsonValue.Arr(elements);
            }
            default -> {
                Map<String, JsonValue> members = new LinkedHashMap<>();
                for (int i = r.nextInt(4); i > 0; i--) {
                    members.put("k" + r.nextInt(5), randomValue(r, depth + 1));
                }
                yield new JsonValue.Obj(members);
            }
        };
    }

    private static JsonValue shuffled(JsonValue v, Random r) {
        return switch (v) {
            case JsonValue.Arr a -> new JsonValue.Arr(a.elements().stream().map(e -> shuffled(e, r)).toList());
            case JsonValue.Obj o -> {
                List<Map.Entry<String, JsonValue>> members = new ArrayList<>(o.members().entrySet());
                Collections.shuffle(members, r);
                Map<String, JsonValue> out = new LinkedHashMap<>();
                members.forEach(m -> out.put(m.getKey(), shuffled(m.getValue(), r)));
                yield new JsonValue.Obj(out);
            }
            default -> v;
        };
    }

    @Property(tries = 2000)
    void writtenValuesParseBackEqualAndMemberOrderDoesNotMatter(@ForAll long seed) throws Exception {
        Random r = new Random(seed);
        JsonValue v = randomValue(r, 0);
        String text = Json.write(v);
        JsonValue back = Json.parse(text.getBytes(StandardCharsets.UTF_8));
        assertThat(back).isEqualTo(v).hasSameHashCodeAs(v);
        assertThat(Json.write(back)).isEqualTo(text);
        JsonValue other = shuffled(v, r);
        assertThat(other).isEqualTo(v).hasSameHashCodeAs(v);
    }

    @Property(tries = 4000)
    void mutatedTextIsRefusedOrReadsBackTheSame(@ForAll long seed, @ForAll @IntRange(min = 1, max = 5) int edits) {
        String valid = "{\"type\":\"put\",\"path\":\"/a/b\",\"value\":{\"n\":[1,2.5e3,-0],\"s\":\"\\u00e9\\n\",\"t\":true}}";
        byte[] mutated = Mutator.mutate(valid.getBytes(StandardCharsets.UTF_8), seed, edits);
        JsonValue parsed;
        try {
            parsed = Json.parse(mutated);
        } catch (MalformedJsonException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        try {
            assertThat(Json.parse(Json.write(parsed))).isEqualTo(parsed);
        } catch (MalformedJsonException e) {
            throw new AssertionError("written form of an accepted value does not parse: " + Json.write(parsed), e);
        }
    }
}
