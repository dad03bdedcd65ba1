package dev.vitra.watchdog.contract;

import dev.vitra.watchdog.util.JsonText;
import static dev.vitra.watchdog.contract.ContractTestSupport.ALICE;
import static dev.vitra.watchdog.contract.ContractTestSupport.BOB;
import static dev.vitra.watchdog.contract.ContractTestSupport.ENGINE;
import static dev.vitra.watchdog.contract.ContractTestSupport.apply;
import static dev.vitra.watchdog.contract.ContractTestSupport.applying;
import static dev.vitra.watchdog.contract.ContractTestSupport.changes;
import static dev.vitra.watchdog.contract.ContractTestSupport.entries;
import static dev.vitra.watchdog.contract.ContractTestSupport.genesis;
import static dev.vitra.watchdog.contract.ContractTestSupport.load;
import static dev.vitra.watchdog.contract.ContractTestSupport.rejection;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Every rule of PROTOCOL §4, including the awkward ones. */
class ContractApiRulesTest {
    private final MemoryIndex empty = new MemoryIndex();

    private static final String OP = "{\"op\":\"X\"}";

    private List<String> run(String body) {
        return entries(apply(applying(body), empty, OP));
    }

    private String fails(String body) {
        return rejection(apply(applying(body), empty, OP));
    }

    @Test
    void pathsAreNormalisedBySplittingOnSlashAndDroppingEmptySegments() {
        assertThat(run("tx.put('a', 1); tx.put('/b/', 2); tx.put('//c', 3); tx.put('/a//b/', 4)"))
                .containsExactly("{\"type\":\"put\",\"path\":\"/a\",\"value\":1}",
                        "{\"type\":\"put\",\"path\":\"/a/b\",\"value\":4}",
                        "{\"type\":\"put\",\"path\":\"/b\",\"value\":2}",
                        "{\"type\":\"put\",\"path\":\"/c\",\"value\":3}");
    }

    @Test
    void pathsThatNormaliseToRootOrAreNotStringsFailTheOp() {
        assertThat(fails("tx.put('/', 1)")).contains("normalises to \"/\"");
        assertThat(fails("tx.put('///', 1)")).contains("normalises to \"/\"");
        assertThat(fails("tx.delete('')")).contains("normalises to \"/\"");
        assertThat(fails("tx.put(42, 1)")).contains("path must be a string, got number");
        assertThat(fails("await index.get('/')")).contains("normalises");
    }

    @Test
    void writesUnderSysAreRefusedButReadsAreAllowed() {
        assertThat(fails("tx.put('/.sys/x', 1)")).contains("/.sys");
        assertThat(fails("tx.put('.sys', 1)")).contains("/.sys");
        assertThat(fails("tx.delete('//.sys//inputs')")).contains("/.sys");
        assertThat(run("tx.put('/.system', 1)")).containsExactly("{\"type\":\"put\",\"path\":\"/.system\",\"value\":1}");
        MemoryIndex index = genesis(ALICE);
        assertThat(entries(apply(applying("tx.put('/seen', (await index.get('/.sys/inputs/' + ack.origin)).value)"), index, OP)))
                .containsExactly("{\"type\":\"put\",\"path\":\"/seen\",\"value\":{\"pubkey\":\"" + ALICE + "\",\"active\":true}}");
    }

    @Test
    void lastActionOnAKeyWinsAndAPutThenDeleteIsOneDelete() {
        assertThat(run("tx.put('k', 1); tx.delete('/k/')")).containsExactly("{\"type\":\"del\",\"path\":\"/k\"}");
        assertThat(run("tx.delete('k'); tx.put('k', 2); tx.put('k', 3)")).containsExactly("{\"type\":\"put\",\"path\":\"/k\",\"value\":3}");
    }

    @Test
    void txGetReturnsTheQueuedActionAndLaterMutationChangesNothing() {
        assertThat(run("const v = {a: [1]}; tx.put('k', v); v.a.push(2); v.b = 1;"
                + "const got = tx.get('/k'); got.value.a.push(3);"
                + "tx.put('copy', tx.get('k')); tx.delete('gone'); tx.put('del', tx.get('gone')); tx.put('none', tx.get('never') === undefined)"))
                .containsExactly("{\"type\":\"put\",\"path\":\"/copy\",\"value\":{\"type\":\"put\",\"value\":{\"a\":[1]}}}",
                        "{\"type\":\"put\",\"path\":\"/del\",\"value\":{\"type\":\"del\"}}",
                        "{\"type\":\"del\",\"path\":\"/gone\"}",
                        "{\"type\":\"put\",\"path\":\"/k\",\"value\":{\"a\":[1]}}",
                        "{\"type\":\"put\",\"path\":\"/none\",\"value\":true}");
    }

    @Test
    void valuesAreConvertedAsJsonStringifyConvertsThem() {
        assertThat(run("tx.put('o', {a: undefined, f() {}, b: 1}); tx.put('arr', [undefined, () => 1, NaN]); "
                + "tx.put('j', {toJSON() { return 'via toJSON' }}); tx.put('d', new Date(0)); tx.put('n', null)"))
                .containsExactly("{\"type\":\"put\",\"path\":\"/arr\",\"value\":[null,null,null]}",
                        "{\"type\":\"put\",\"path\":\"/d\",\"value\":\"1970-01-01T00:00:00.000Z\"}",
                        "{\"type\":\"put\",\"path\":\"/j\",\"value\":\"via toJSON\"}",
                        "{\"type\":\"put\",\"path\":\"/n\",\"value\":null}",
                        "{\"type\":\"put\",\"path\":\"/o\",\"value\":{\"b\":1}}");
        assertThat(fails("tx.put('u', undefined)")).contains("JSON.stringify returns undefined");
        assertThat(fails("tx.put('f', () => 1)")).contains("JSON.stringify returns undefined");
        assertThat(fails("tx.put('b', 1n)")).contains("BigInt");
        assertThat(fails("const o = {}; o.self = o; tx.put('c', o)")).containsIgnoringCase("circular");
    }

    @Test
    void changesAreOrderedByPathInUtf16CodeUnits() {
        String[] keys = {"b", "a", "B", "é", "\uD83D\uDE00", "\uFFFD", "a/b", "a-b", "_", "0"};
        StringBuilder body = new StringBuilder();
        for (String k : keys) {
            body.append("tx.put(").append(JsonText.quote(k)).append(", 1);");
        }
        List<String> paths = changes(apply(applying(body.toString()), empty, OP)).stream().map(Change::path).toList();
        List<String> expected = new ArrayList<>();
        for (String k : keys) {
            expected.add("/" + k);
        }
        expected.sort(String::compareTo);
        assertThat(paths).containsExactlyElementsOf(expected);
    }

    @Test
    void anIndexEntryLongerThan65535Utf8BytesFailsTheOp() {
        // {"type":"put","path":"/k","value":"…"} is 37 bytes around the string's content.
        assertThat(run("tx.put('k', 'x'.repeat(65535 - 37))")).hasSize(1);
        assertThat(fails("tx.put('k', 'x'.repeat(65535 - 36))")).contains("65536 bytes").contains("65535");
        assertThat(fails("tx.put('k', 'é'.repeat(32768))")).contains("more than 65535");
        assertThat(fails("tx.put('k', '\u0001'.repeat(11000))")).contains("more than 65535");
        // Two bytes per character, in the value and in the path; a delete's entry is {"type":"del","path":"/…"}.
        assertThat(run("tx.put('k', 'é'.repeat(32749))")).hasSize(1);
        assertThat(fails("tx.put('k', 'é'.repeat(32750))")).contains("65537 bytes");
        assertThat(fails("tx.put('é'.repeat(32760), 1)")).contains("more than 65535");
        assertThat(run("tx.delete('x'.repeat(65510))")).hasSize(1);
        assertThat(fails("tx.delete('x'.repeat(65511))")).contains("65536 bytes");
    }

    @Test
    void changesWithAnyCharactersInTheirPathsReachTheHostIntact() {
        List<String> entries = run("tx.put('/a:1/2', 'x:3'); tx.delete('/9'); tx.put('/\"q\"\\n\\u2028', {k: ':'});"
                + " tx.put('/\\ud83d\\ude00/é', [1, 'é']); tx.put('/lone\\ud800', '\\udc00')");
        assertThat(entries).containsExactly(
                "{\"type\":\"put\",\"path\":\"/\\\"q\\\"\\n\u2028\",\"value\":{\"k\":\":\"}}",
                "{\"type\":\"del\",\"path\":\"/9\"}",
                "{\"type\":\"put\",\"path\":\"/a:1/2\",\"value\":\"x:3\"}",
                "{\"type\":\"put\",\"path\":\"/lone\\ud800\",\"value\":\"\\udc00\"}",
                "{\"type\":\"put\",\"path\":\"/\ud83d\ude00/é\",\"value\":[1,\"é\"]}");
    }

    @Test
    void indexGetAndListSeeTheStateAsOfTheStartOfTheTransaction() {
        MemoryIndex index = new MemoryIndex();
        index.put("/a", "1", 5);
        index.put("/a/x", "2", 6);
        index.put("/a/y/z", "3", 7);
        index.put("/a/w", "{\"k\":true}", 8);
        index.put("/b", "\"only\"", 9);
        Contract c = applying("tx.put('/a/new', 1); tx.put('seen', [await index.get('a'), index.get('/a/new') ?? null, index.list('/a')])");
        List<Change> out = changes(apply(c, index, OP));
        assertThat(out.get(1).valueJson()).contains("[{\"path\":\"/a\",\"name\":\"a\",\"value\":1,\"seq\":5},null,"
                + "[{\"path\":\"/a/w\",\"name\":\"w\",\"value\":{\"k\":true},\"seq\":8,\"container\":false},"
                + "{\"path\":\"/a/x\",\"name\":\"x\",\"value\":2,\"seq\":6,\"container\":false},"
                + "{\"path\":\"/a/y\",\"name\":\"y\",\"container\":true}]]");
        MemoryIndex both = new MemoryIndex();
        both.put("/p/q", "1", 1);
        both.put("/p/q/r", "2", 2);
        assertThat(changes(apply(applying("tx.put('l', index.list('p'))"), both, OP)).get(0).valueJson())
                .contains("[{\"path\":\"/p/q\",\"name\":\"q\",\"value\":1,\"seq\":1,\"container\":true}]");
    }

    @Test
    void listOplogsReturnsActiveParticipantsSortedAndIsWriterIsFalseInsideApply() {
        MemoryIndex index = genesis(BOB, ALICE);
        index.put("/.sys/inputs/" + "d".repeat(64), "{\"pubkey\":\"" + "d".repeat(64) + "\",\"active\":false}", 9);
        assertThat(entries(apply(applying("tx.put('p', listOplogs()); tx.put('w', isWriter)"), index, OP)))
                .containsExactly("{\"type\":\"put\",\"path\":\"/p\",\"value\":[\"" + ALICE + "\",\"" + BOB + "\"]}",
                        "{\"type\":\"put\",\"path\":\"/w\",\"value\":false}");
    }

    @Test
    void ackCarriesOriginSeqTsAndMetadataOnlyWhenPresent() {
        Contract c = applying("tx.put('ack', ack); tx.put('hasMeta', 'metadata' in ack && ack.metadata !== undefined)");
        assertThat(entries(ENGINE.apply(c, empty, OP, new Ack(ALICE, 7, 99))))
                .containsExactly("{\"type\":\"put\",\"path\":\"/ack\",\"value\":{\"origin\":\"" + ALICE + "\",\"seq\":7,\"ts\":99}}",
                        "{\"type\":\"put\",\"path\":\"/hasMeta\",\"value\":false}");
        assertThat(entries(ENGINE.apply(c, empty, OP, new Ack(ALICE, 7, 99, Optional.of("{\"m\":[1]}")))))
                .contains("{\"type\":\"put\",\"path\":\"/hasMeta\",\"value\":true}");
    }

    @Test
    void systemActionsBecomeTheirSysChanges() {
        assertThat(run("tx.addOplog({pubkey: '" + BOB + "'}); tx.removeOplog({pubkey: '" + ALICE + "'}); tx.setContractSource({code: 'export const apply = {}'})"))
                .containsExactly("{\"type\":\"put\",\"path\":\"/.sys/contract/source\",\"value\":\"export const apply = {}\"}",
                        "{\"type\":\"put\",\"path\":\"/.sys/inputs/" + ALICE + "\",\"value\":{\"pubkey\":\"" + ALICE + "\",\"active\":false}}",
                        "{\"type\":\"put\",\"path\":\"/.sys/inputs/" + BOB + "\",\"value\":{\"pubkey\":\"" + BOB + "\",\"active\":true}}");
        assertThat(fails("tx.addOplog({pubkey: 'ABC'})")).contains("64 lowercase hex");
        assertThat(fails("tx.removeOplog()")).contains("64 lowercase hex");
        assertThat(fails("tx.setContractSource({code: ''})")).contains("non-empty string");
    }

    @Test
    void objectFormDispatchesOnOwnFunctionPropertiesOnly() {
        Contract c = load("export const apply = { PUT (tx, op) { tx.put('k', op.v) }, notAFunction: 1 }\n");
        assertThat(entries(apply(c, empty, "{\"op\":\"PUT\",\"v\":1}"))).hasSize(1);
        assertThat(rejection(apply(c, empty, "{\"op\":\"GET\"}"))).contains("no apply handler for op \"GET\"");
        assertThat(rejection(apply(c, empty, "{\"op\":\"toString\"}"))).contains("no apply handler");
        assertThat(rejection(apply(c, empty, "{\"op\":\"__proto__\"}"))).contains("no apply handler");
        assertThat(rejection(apply(c, empty, "{\"op\":\"constructor\"}"))).contains("no apply handler");
        assertThat(rejection(apply(c, empty, "{\"op\":\"notAFunction\"}"))).contains("no apply handler");
        assertThat(rejection(apply(c, empty, "{\"v\":1}"))).contains("no apply handler for op null");
    }

    @Test
    void opsThatAreNotJsonObjectsFail() {
        Contract c = applying("tx.put('k', 1)");
        assertThat(rejection(apply(c, empty, "[1,2]"))).contains("not a JSON object");
        assertThat(rejection(apply(c, empty, "\"PUT\""))).contains("not a JSON object");
        assertThat(rejection(apply(c, empty, "null"))).contains("not a JSON object");
        assertThat(rejection(apply(c, empty, "{nope"))).contains("not valid JSON");
    }

    @Test
    void thrownErrorsRejectedPromisesAndThrownNonErrorsFailTheOp() {
        assertThat(fails("throw new TypeError('bad input')")).isEqualTo("bad input");
        assertThat(fails("await Promise.reject(new Error('later'))")).isEqualTo("later");
        assertThat(fails("throw 42")).isEqualTo("non-Error value thrown: 42");
        assertThat(fails("throw {toString() { throw new Error('nope') }}")).contains("not printable");
        assertThat(fails("throw undefined")).isEqualTo("non-Error value thrown: undefined");
        assertThat(rejection(apply(load("export function apply () { return new Promise(() => {}) }"), empty, OP)))
                .contains("never settles");
        assertThat(rejection(apply(load("export const nothing = 1"), empty, OP))).contains("does not export apply");
    }

    @Test
    void aFailedOpHasNoChangesEvenIfItQueuedSome() {
        assertThat(fails("tx.put('a', 1); tx.put('b', 2); throw new Error('after queueing')")).isEqualTo("after queueing");
    }

    @Test
    void processReturnsMetadataOrNothing() {
        Contract c = load("export function process (op) { return op.n > 0 ? {n: op.n, t: Date.now() > 0} : undefined }\n"
                + "export const apply = {}\n");
        assertThat(ENGINE.process(c, "{\"n\":2}", empty)).isEqualTo(new ProcessOutcome.Metadata(Optional.of("{\"n\":2,\"t\":true}")));
        assertThat(ENGINE.process(c, "{\"n\":0}", empty)).isEqualTo(new ProcessOutcome.Metadata(Optional.empty()));
        assertThat(ENGINE.process(load("export const apply = {}"), "{}", empty)).isEqualTo(new ProcessOutcome.Metadata(Optional.empty()));
    }

    @Test
    void callsMayUseTheClockAndGenUuidButNotEmitNonObjects() {
        Contract c = load("import { genUUID } from 'util'\nimport { isWriter } from 'contract'\n"
                + "export function make (p, emit) { emit({op: 'MAKE', id: genUUID(), at: Date.now() > 0, w: isWriter}) }\n"
                + "export function bad (p, emit) { emit('string') }\nexport const apply = {}\n");
        CallOutcome made = ENGINE.call(c, "make", "{}", true, empty);
        assertThat(made).isInstanceOfSatisfying(CallOutcome.Returned.class, r ->
                assertThat(r.emittedOps()).singleElement().asString().matches("\\{\"op\":\"MAKE\",\"id\":\"[0-9a-f-]{36}\",\"at\":true,\"w\":true}"));
        assertThat(ENGINE.call(c, "bad", "{}", true, empty)).isInstanceOf(CallOutcome.Failed.class);
        assertThat(ENGINE.call(c, "apply", "{}", true, empty)).isInstanceOfSatisfying(CallOutcome.Failed.class,
                f -> assertThat(f.error()).contains("no method \"apply\""));
        assertThat(ENGINE.call(c, "missing", "{}", true, empty)).isInstanceOf(CallOutcome.Failed.class);
    }
}
