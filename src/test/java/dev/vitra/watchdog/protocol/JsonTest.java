package dev.vitra.watchdog.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonTest {
    private static JsonValue parse(String text) throws MalformedJsonException {
        return Json.parse(text.getBytes(StandardCharsets.UTF_8));
    }

    private static void refused(byte[] bytes, String reason) {
        assertThatThrownBy(() -> Json.parse(bytes)).as(new String(bytes, StandardCharsets.ISO_8859_1))
                .isInstanceOf(MalformedJsonException.class).hasMessageContaining(reason);
    }

    private static void refused(String text, String reason) {
        refused(text.getBytes(StandardCharsets.UTF_8), reason);
    }

    @Test
    void numbersCompareAsDoublesLikeJavaScript() throws Exception {
        assertThat(parse("1")).isEqualTo(parse("1.0")).isEqualTo(parse("1e0")).isEqualTo(parse("10e-1"));
        assertThat(parse("-0")).isEqualTo(parse("0")).hasSameHashCodeAs(parse("0"));
        assertThat(parse("0.1")).isNotEqualTo(parse("0.10000000000000002"));
        // Both round to the same double, so JavaScript cannot tell them apart either.
        assertThat(parse("9007199254740993")).isEqualTo(parse("9007199254740992"));
        assertThat(parse("1e400")).isEqualTo(new JsonValue.Num("x", Double.POSITIVE_INFINITY));
        assertThat(parse("\"1\"")).isNotEqualTo(parse("1"));
    }

    @Test
    void objectsAreMemberSetsAndArraysAreOrdered() throws Exception {
        JsonValue a = parse("{\"a\":1,\"b\":[1,2,{\"c\":null}]}");
        JsonValue b = parse(" { \"b\" : [ 1.0 , 2 , { \"c\" : null } ] , \"a\" : 1 } ");
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(parse("[1,2]")).isNotEqualTo(parse("[2,1]"));
        assertThat(parse("{\"a\":1}")).isNotEqualTo(parse("{\"a\":1,\"b\":1}"));
        assertThat(parse("{}")).isNotEqualTo(parse("[]"));
    }

    @Test
    void stringsCompareByCodeUnitsAfterEscapes() throws Exception {
        assertThat(parse("\"\\u00e9\"")).isEqualTo(parse("\"é\""));
        assertThat(parse("\"e\\u0301\"")).isNotEqualTo(parse("\"é\"")); // no Unicode normalisation
        assertThat(((JsonValue.Str) parse("\"\\ud800\"")).value()).isEqualTo("\ud800");
        assertThat(parse("\"\\/\"")).isEqualTo(parse("\"/\""));
    }

    @Test
    void exactlyOneValueAndNothingAfterIt() {
        refused("1 2", "after the JSON value");
        refused("{} x", "after the JSON value");
        refused("", "end of input");
        refused("   ", "end of input");
        refused("[1,]", "expected a value");
        refused("{\"a\":1,}", "member name");
        refused("01", "after the JSON value");
        refused("1.", "digit after '.'");
        refused("+1", "expected a value");
        refused("NaN", "expected a value");
        refused("\"a\nb\"", "control character");
        refused("\"\\x\"", "invalid escape");
        refused("\"\\u12g4\"", "four hex digits");
        refused("\"\\u\u0667123\"", "four hex digits");
        refused("[1", "inside the array");
        refused("{\"a\" 1}", "':'");
        refused("tru", "expected a value");
    }

    @Test
    void duplicateMemberNamesAreRefusedAtAnyDepth() {
        refused("{\"a\":1,\"a\":1}", "duplicate member name \"a\"");
        refused("[{\"x\":{\"y\":1,\"y\":2}}]", "duplicate member name \"y\"");
        refused("{\"\\u0061\":1,\"a\":2}", "duplicate member name");
    }

    @Test
    void strictUtf8() {
        refused(new byte[] {'"', (byte) 0xC0, (byte) 0xAF, '"'}, "not valid UTF-8 at byte 1"); // overlong '/'
        refused(new byte[] {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'}, "not valid UTF-8"); // encoded surrogate
        refused(new byte[] {'"', (byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80, '"'}, "not valid UTF-8"); // > U+10FFFF
        refused(new byte[] {'"', (byte) 0xFF, '"'}, "not valid UTF-8");
        refused(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '1'}, "U+FEFF"); // a BOM is not whitespace
    }

    @Test
    void nestingIsLimitedOnlyByTheInput() throws Exception {
        int depth = 100_000;
        String deep = "[".repeat(depth) + "{\"a\":1}" + "]".repeat(depth);
        JsonValue a = Json.parse(deep);
        JsonValue b = Json.parse(deep.replace("1", "1.0"));
        assertThat(a).isEqualTo(b);
        assertThat(a.hashCode()).isEqualTo(b.hashCode());
        assertThat(Json.write(a)).isEqualTo(deep);
    }

    @Test
    void writeKeepsNumberTextAndEscapesLikeJsonStringify() throws Exception {
        assertThat(Json.write(parse(" { \"n\" : 1.50e+3 , \"s\" : \"a\\\"\\u0001\\ud800\" , \"t\":[true,false,null] } ")))
                .isEqualTo("{\"n\":1.50e+3,\"s\":\"a\\\"\\u0001\\ud800\",\"t\":[true,false,null]}");
    }

    @Test
    void safeIntegers() throws Exception {
        assertThat(((JsonValue.Num) parse("1.0")).safeInteger()).hasValue(1);
        assertThat(((JsonValue.Num) parse("-0")).safeInteger()).hasValue(0);
        assertThat(((JsonValue.Num) parse("9007199254740991")).safeInteger()).hasValue(9007199254740991L);
        assertThat(((JsonValue.Num) parse("9007199254740992")).safeInteger()).isEmpty();
        assertThat(((JsonValue.Num) parse("1.5")).safeInteger()).isEmpty();
        assertThat(((JsonValue.Num) parse("1e400")).safeInteger()).isEmpty();
    }
}
