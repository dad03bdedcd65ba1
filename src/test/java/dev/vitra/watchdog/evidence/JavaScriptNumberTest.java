package dev.vitra.watchdog.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.Test;

/**
 * Numbers in claimed changes are spelled as ECMAScript's Number::toString spells them (JSON.stringify): checked
 * against fixed cases and against a JavaScript engine on random doubles.
 */
class JavaScriptNumberTest {
    private static Context js;
    private static Value toText;

    private static synchronized Value toText() {
        if (js == null) {
            js = Context.newBuilder("js").option("engine.WarnInterpreterOnly", "false").build();
            toText = js.eval("js", "(bits) => String(new Float64Array(new BigUint64Array([BigInt(bits)]).buffer)[0])");
        }
        return toText;
    }

    @AfterContainer
    static void close() {
        if (js != null) {
            js.close();
            js = null;
        }
    }

    @Test
    void doublesAreWrittenAsJavaScriptWritesThem() {
        // Expected strings from ECMAScript's Number::toString.
        String[][] cases = {{"0", "0"}, {"-0", "0"}, {"1", "1"}, {"-1", "-1"}, {"1.5", "1.5"}, {"100", "100"},
            {"123456789012345680000", "123456789012345680000"}, {"1e21", "1e+21"}, {"1.5e21", "1.5e+21"},
            {"0.000001", "0.000001"}, {"1e-7", "1e-7"}, {"1.5e-7", "1.5e-7"}, {"0.1", "0.1"}, {"0.30000000000000004",
                "0.30000000000000004"}, {"5e-324", "5e-324"}, {"1.7976931348623157e308", "1.7976931348623157e+308"},
            {"9007199254740993", "9007199254740992"}, {"123.456", "123.456"}, {"1e300", "1e+300"}};
        for (String[] c : cases) {
            assertThat(CanonicalJson.javaScriptNumber(Double.parseDouble(c[0]))).as(c[0]).isEqualTo(c[1]);
        }
    }

    @Property(tries = 3000)
    void anyFiniteDoubleIsWrittenAsTheJavaScriptEngineWritesIt(@ForAll("finiteDoubles") double d) {
        String expected = toText().execute(Long.toUnsignedString(Double.doubleToRawLongBits(d))).asString();
        assertThat(CanonicalJson.javaScriptNumber(d)).as("%s", d).isEqualTo(expected);
    }

    @Provide
    Arbitrary<Double> finiteDoubles() {
        return Arbitraries.oneOf(
                Arbitraries.longs().map(Double::longBitsToDouble).filter(Double::isFinite),
                Arbitraries.doubles(),
                Arbitraries.integers().between(-30, 30).flatMap(e -> Arbitraries.integers().between(1, 99)
                        .map(m -> m * Math.pow(10, e))));
    }
}
