package dev.vitra.watchdog.audit.naive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vitra.watchdog.audit.naive.NaiveAuditor.Verdict;
import dev.vitra.watchdog.contract.ContractEngine;
import dev.vitra.watchdog.contract.ContractLimits;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class NaiveAuditorTest {
    private static final ContractEngine ENGINE = ContractEngine.create(ContractLimits.defaults());

    static final String ALICE = "a".repeat(64);
    static final String BOB = "b".repeat(64);
    static final String CAROL = "c".repeat(64);

    static final String CONTRACT = """
            import { index } from 'contract'
            export const apply = {
              PUT (tx, op) { tx.put(op.path, op.value) },
              FAIL () { throw new Error('no') },
              DEL (tx, op) { tx.delete(op.path) },
              TWO (tx, op) { tx.put('/x', 1); tx.put('/y', 2) },
              async COPY (tx, op) { tx.put(op.to, (await index.get(op.from)).value) },
              STAMP (tx, op, ack) { tx.put(op.path, { ts: ack.ts, seq: ack.seq, m: ack.metadata }) },
              ADD (tx, op) { tx.addOplog({ pubkey: op.pubkey }) },
              REMOVE (tx, op) { tx.removeOplog({ pubkey: op.pubkey }) },
              MANY (tx) { for (let i = 0; i <= 10000; i++) tx.put('/m/' + i, i) }
            }
            """;

    @AfterAll
    static void closeEngine() {
        ENGINE.close();
    }

    // ------------------------------------------------------------------ builders

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String q(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    static byte[] header() {
        return b("{\"type\":\"header\",\"protocol\":\"vitra/1\"}");
    }

    static byte[] put(String path, String valueJson) {
        return b("{\"type\":\"put\",\"path\":" + q(path) + ",\"value\":" + valueJson + "}");
    }

    static byte[] del(String path) {
        return b("{\"type\":\"del\",\"path\":" + q(path) + "}");
    }

    static byte[] source(String js) {
        return put("/.sys/contract/source", q(js));
    }

    static byte[] input(String id) {
        return put("/.sys/inputs/" + id, "{\"pubkey\":\"" + id + "\",\"active\":true}");
    }

    static byte[] seal() {
        return put("/.sys/acks/genesis", "null");
    }

    static String ackPath(String origin, long seq) {
        return "/.sys/acks/" + origin + "/" + String.format("%015d", seq);
    }

    static byte[] ack(String origin, long seq, boolean success, int numChanges) {
        return put(ackPath(origin, seq), "{\"success\":" + success + ",\"origin\":\"" + origin + "\",\"seq\":" + seq
                + ",\"ts\":1700000000000,\"numChanges\":" + numChanges + "}");
    }

    /** Header, contract source, inputs, seal: positions 0 .. 2+inputs. */
    static List<byte[]> genesis(String... inputs) {
        List<byte[]> log = new ArrayList<>();
        log.add(header());
        log.add(source(CONTRACT));
        for (String id : inputs) {
            log.add(input(id));
        }
        log.add(seal());
        return log;
    }

    static List<byte[]> log(List<byte[]> start, byte[]... more) {
        List<byte[]> log = new ArrayList<>(start);
        log.addAll(List.of(more));
        return log;
    }

    static Map<String, List<byte[]>> oplogs(String id, String... ops) {
        Map<String, List<byte[]>> m = new HashMap<>();
        List<byte[]> entries = new ArrayList<>();
        for (String op : ops) {
            entries.add(b(op));
        }
        m.put(id, entries);
        return m;
    }

    static String putOp(String path, String valueJson) {
        return "{\"op\":\"PUT\",\"path\":" + q(path) + ",\"value\":" + valueJson + "}";
    }

    static Verdict audit(List<byte[]> log, Map<String, List<byte[]>> oplogs) {
        return NaiveAuditor.audit(log, oplogs, ENGINE);
    }

    static void assertVerdict(Verdict v, String code, long at, long entry, long verifiedUpTo) {
        assertThat(v).isEqualTo(new Verdict(code, at, entry, verifiedUpTo));
    }

    // genesis(ALICE) occupies 0..3; the first ack is due at 4.
    static final int A = 4;

    // ------------------------------------------------------------------ OK

    @Test
    void emptyLogAndUnsealedGenesisAreVerifiedSoFar() {
        assertVerdict(audit(List.of(), Map.of()), "OK", -1, -1, 0);
        assertVerdict(audit(List.of(header(), source(CONTRACT), input(ALICE)), Map.of()), "OK", -1, -1, 3);
        assertVerdict(audit(genesis(ALICE), Map.of()), "OK", -1, -1, 4);
    }

    @Test
    void validTransactionsAreOk() {
        var log = log(genesis(ALICE),
                ack(ALICE, 0, true, 1), put("/foo", "\"hello\""),
                ack(ALICE, 1, false, 0),
                ack(ALICE, 2, true, 2), put("/x", "1"), put("/y", "2"),
                ack(ALICE, 3, true, 1), del("/foo"));
        var ops = oplogs(ALICE, putOp("/foo", "\"hello\""), "{\"op\":\"FAIL\"}", "{\"op\":\"TWO\"}",
                "{\"op\":\"DEL\",\"path\":\"foo\"}");
        assertVerdict(audit(log, ops), "OK", -1, -1, log.size());
    }

    @Test
    void oneEqualsOnePointZeroAndObjectMemberOrderDoesNotMatter() {
        var log = log(genesis(ALICE),
                ack(ALICE, 0, true, 1), put("/n", "1.0"),
                ack(ALICE, 1, true, 1), put("/o", "{\"b\":[2e0,{\"d\":-0}],\"a\":\"\\u0041\"}"),
                ack(ALICE, 2, true, 1), put("/big", "1e400"));
        var ops = oplogs(ALICE, putOp("/n", "1"), putOp("/o", "{\"a\":\"A\",\"b\":[2,{\"d\":0}]}"),
                // the contract stores 1e400 (Infinity) as null: not equal to 1e400 in the window
                putOp("/big", "1e400"));
        assertVerdict(audit(log, ops), "ChangeMismatchError", A + 4, A + 5, A + 4);
        var okLog = log.subList(0, A + 4);
        assertVerdict(audit(okLog, ops), "OK", -1, -1, A + 4);
    }

    @Test
    void stateAckAndMetadataReachTheContract() {
        // COPY reads the value written by the first transaction (the state is fed to the replay).
        // STAMP sees ack.ts, ack.seq and ack.metadata (number text kept: 1.50 reads as 1.5).
        var log = log(genesis(ALICE),
                ack(ALICE, 0, true, 1), put("/src", "{\"k\":[1,2]}"),
                ack(ALICE, 1, true, 1), put("/dst", "{\"k\":[1.0,2]}"),
                put(ackPath(ALICE, 2), "{\"success\":true,\"origin\":\"" + ALICE + "\",\"seq\":2,\"ts\":42,"
                        + "\"numChanges\":1,\"metadata\":{\"x\":1.50,\"s\":\"\u00e9\"}}"),
                put("/st", "{\"ts\":42,\"seq\":2,\"m\":{\"s\":\"é\",\"x\":1.5}}"),
                ack(ALICE, 3, true, 1), put("/st2", "{\"ts\":1700000000000,\"seq\":3}"));
        var ops = oplogs(ALICE, putOp("/src", "{\"k\":[1,2]}"),
                "{\"op\":\"COPY\",\"from\":\"/src\",\"to\":\"/dst\"}",
                "{\"op\":\"STAMP\",\"path\":\"/st\"}", "{\"op\":\"STAMP\",\"path\":\"/st2\"}");
        assertVerdict(audit(log, ops), "OK", -1, -1, log.size());
    }

    @Test
    void addedParticipantCanWriteAndRemovedCannot() {
        var log = log(genesis(ALICE),
                ack(ALICE, 0, true, 1), put("/.sys/inputs/" + BOB, "{\"pubkey\":\"" + BOB + "\",\"active\":true}"),
                ack(BOB, 0, true, 1), put("/b", "true"),
                ack(ALICE, 1, true, 1), put("/.sys/inputs/" + BOB, "{\"active\":false,\"pubkey\":\"" + BOB + "\"}"),
                ack(BOB, 1, true, 1), put("/b", "false"));
        Map<String, List<byte[]>> ops = new HashMap<>(oplogs(ALICE,
                "{\"op\":\"ADD\",\"pubkey\":\"" + BOB + "\"}", "{\"op\":\"REMOVE\",\"pubkey\":\"" + BOB + "\"}"));
        ops.putAll(oplogs(BOB, putOp("/b", "true"), putOp("/b", "false")));
        assertVerdict(audit(log, ops), "NonParticipantError", A + 6, -1, A + 6);
        assertVerdict(audit(log.subList(0, A + 6), ops), "OK", -1, -1, A + 6);
    }

    // ------------------------------------------------------------------ genesis

    @Test
    void unsupportedProtocol() {
        var log = log(List.of(b("{\"protocol\":\"vitra/2\",\"type\":\"header\"}"), source(CONTRACT), input(ALICE), seal()));
        assertVerdict(audit(log, Map.of()), "UNSUPPORTED", 0, -1, 0);
    }

    @Test
    void entryZeroThatIsNotExactlyTheHeaderIsUnsupportedNotFraud() {
        // Only the header binds a log to the index role (docs/audit.md): anything else at entry 0 is not a claim.
        for (byte[] entry0 : List.of(put("/foo", "1"), b("{\"type\":\"header\",\"protocol\":1}"),
                b("{\"type\":\"header\",\"protocol\":\"vitra/1\",\"x\":0}"),
                b("\uFEFF{\"type\":\"header\",\"protocol\":\"vitra/1\"}"))) {
            assertVerdict(audit(List.of(entry0), Map.of()), "UNSUPPORTED", 0, -1, 0);
        }
    }

    @Test
    void unexpectedPathError() {
        assertVerdict(audit(List.of(header(), put("/foo", "\"x\"")), Map.of()), "UnexpectedPathError", 1, -1, 1);
        assertVerdict(audit(List.of(header(), del("/.sys/contract/source")), Map.of()), "UnexpectedPathError", 1, -1, 1);
        assertVerdict(audit(List.of(header(), source(CONTRACT), input(ALICE), put("/foo", "1")), Map.of()),
                "UnexpectedPathError", 3, -1, 3);
        assertVerdict(audit(List.of(header(), source(CONTRACT), del("/.sys/inputs/" + ALICE)), Map.of()),
                "UnexpectedPathError", 2, -1, 2);
    }

    @Test
    void invalidSchemaInGenesis() {
        assertVerdict(audit(List.of(header(), put("/.sys/contract/source", "\"\"")), Map.of()), "InvalidSchemaError", 1, -1, 1);
        assertVerdict(audit(List.of(header(), source(CONTRACT), put("/.sys/inputs/" + ALICE,
                "{\"pubkey\":\"" + ALICE + "\",\"active\":false}")), Map.of()), "InvalidSchemaError", 2, -1, 2);
        assertVerdict(audit(List.of(header(), source(CONTRACT), input("A".repeat(64))), Map.of()),
                "InvalidSchemaError", 2, -1, 2);
        assertVerdict(audit(List.of(header(), source(CONTRACT), input(ALICE), input(ALICE)), Map.of()),
                "InvalidSchemaError", 3, -1, 3);
        assertVerdict(audit(List.of(header(), source(CONTRACT), input(ALICE), put("/.sys/acks/genesis", "0")), Map.of()),
                "InvalidSchemaError", 3, -1, 3);
        assertVerdict(audit(List.of(header(), source(CONTRACT), input(ALICE), header()), Map.of()),
                "InvalidSchemaError", 3, -1, 3);
    }

    @Test
    void noGenesisInputsDeclared() {
        assertVerdict(audit(List.of(header(), source(CONTRACT), seal()), Map.of()), "NoGenesisInputsDeclaredError", 2, -1, 2);
    }

    // ------------------------------------------------------------------ transactions: schema

    @Test
    void invalidSchemaMalformedJson() {
        var log = log(genesis(ALICE), b("{\"type\":\"put\",\"path\":\"/x\",\"value\":1"));
        assertVerdict(audit(log, Map.of()), "InvalidSchemaError", A, -1, A);
        var notUtf8 = log(genesis(ALICE), new byte[] {'"', (byte) 0xC0, (byte) 0xAF, '"'});
        assertVerdict(audit(notUtf8, Map.of()), "InvalidSchemaError", A, -1, A);
        var trailing = log(genesis(ALICE), b("{\"type\":\"del\",\"path\":\"/x\"} 1"));
        assertVerdict(audit(trailing, Map.of()), "InvalidSchemaError", A, -1, A);
    }

    @Test
    void invalidSchemaDuplicateMember() {
        var log = log(genesis(ALICE), b("{\"type\":\"put\",\"path\":\"" + ackPath(ALICE, 0) + "\",\"value\":{\"success\":true,"
                + "\"origin\":\"" + ALICE + "\",\"seq\":0,\"seq\":0,\"ts\":1,\"numChanges\":0}}"));
        assertVerdict(audit(log, oplogs(ALICE, "{\"op\":\"FAIL\"}")), "InvalidSchemaError", A, -1, A);
    }

    @Test
    void invalidSchemaExtraMember() {
        var inAck = log(genesis(ALICE), put(ackPath(ALICE, 0), "{\"success\":false,\"origin\":\"" + ALICE
                + "\",\"seq\":0,\"ts\":1,\"numChanges\":0,\"extra\":1}"));
        assertVerdict(audit(inAck, oplogs(ALICE, "{\"op\":\"FAIL\"}")), "InvalidSchemaError", A, -1, A);
        var inChange = log(genesis(ALICE), ack(ALICE, 0, true, 1),
                b("{\"type\":\"put\",\"path\":\"/x\",\"value\":1,\"extra\":2}"));
        assertVerdict(audit(inChange, oplogs(ALICE, putOp("/x", "1"))), "InvalidSchemaError", A, A + 1, A);
    }

    @Test
    void invalidSchemaBadAckPath() {
        var shortSeq = log(genesis(ALICE), put("/.sys/acks/" + ALICE + "/00000000000000",
                "{\"success\":false,\"origin\":\"" + ALICE + "\",\"seq\":0,\"ts\":1,\"numChanges\":0}"));
        assertVerdict(audit(shortSeq, Map.of()), "InvalidSchemaError", A, -1, A);
        var seqDiffers = log(genesis(ALICE), put(ackPath(ALICE, 1),
                "{\"success\":false,\"origin\":\"" + ALICE + "\",\"seq\":0,\"ts\":1,\"numChanges\":0}"));
        assertVerdict(audit(seqDiffers, Map.of()), "InvalidSchemaError", A, -1, A);
        var originDiffers = log(genesis(ALICE, BOB), put(ackPath(ALICE, 0),
                "{\"success\":false,\"origin\":\"" + BOB + "\",\"seq\":0,\"ts\":1,\"numChanges\":0}"));
        assertVerdict(audit(originDiffers, Map.of()), "InvalidSchemaError", A + 1, -1, A + 1);
        var genesisAgain = log(genesis(ALICE), seal());
        assertVerdict(audit(genesisAgain, Map.of()), "InvalidSchemaError", A, -1, A);
        var fractionalTs = log(genesis(ALICE), put(ackPath(ALICE, 0),
                "{\"success\":false,\"origin\":\"" + ALICE + "\",\"seq\":0,\"ts\":1.5,\"numChanges\":0}"));
        assertVerdict(audit(fractionalTs, Map.of()), "InvalidSchemaError", A, -1, A);
        var errorOnSuccess = log(genesis(ALICE), put(ackPath(ALICE, 0),
                "{\"success\":true,\"origin\":\"" + ALICE + "\",\"seq\":0,\"ts\":1,\"numChanges\":0,\"error\":\"e\"}"));
        assertVerdict(audit(errorOnSuccess, Map.of()), "InvalidSchemaError", A, -1, A);
    }

    @Test
    void ackWithIntegralNumberSpellingsAndErrorIsFine() {
        var log = log(genesis(ALICE), put(ackPath(ALICE, 0),
                "{\"success\":false,\"origin\":\"" + ALICE + "\",\"seq\":0e5,\"ts\":-1.0,\"numChanges\":-0,\"error\":\"no\"}"));
        assertVerdict(audit(log, oplogs(ALICE, "{\"op\":\"FAIL\"}")), "OK", -1, -1, A + 1);
    }

    @Test
    void invalidSchemaWindowContainsAnAck() {
        var log = log(genesis(ALICE), ack(ALICE, 0, true, 2), put("/x", "1"), ack(ALICE, 1, false, 0));
        assertVerdict(audit(log, oplogs(ALICE, "{\"op\":\"TWO\"}", "{\"op\":\"FAIL\"}")),
                "InvalidSchemaError", A, A + 2, A);
    }

    @Test
    void invalidSchemaMalformedWindowEntryBeatsPending() {
        var log = log(genesis(ALICE), ack(ALICE, 0, true, 3), put("/x", "1"), b("not json"));
        assertVerdict(audit(log, oplogs(ALICE, "{\"op\":\"TWO\"}")), "InvalidSchemaError", A, A + 2, A);
    }

    @Test
    void invalidSchemaFailureWithChanges() {
        var log = log(genesis(ALICE), ack(ALICE, 0, false, 1), put("/x", "1"));
        assertVerdict(audit(log, oplogs(ALICE, "{\"op\":\"FAIL\"}")), "InvalidSchemaError", A, -1, A);
    }

    // ------------------------------------------------------------------ transactions: ordering and participants

    @Test
    void changeNotProducedByMonitorWhereAnAckIsDue() {
        var log = log(genesis(ALICE), put("/x", "1"));
        assertVerdict(audit(log, Map.of()), "ChangeNotProducedByMonitorError", A, -1, A);
        var delete = log(genesis(ALICE), ack(ALICE, 0, true, 1), put("/x", "1"), del("/x"));
        assertVerdict(audit(delete, oplogs(ALICE, putOp("/x", "1"))), "ChangeNotProducedByMonitorError", A + 2, -1, A + 2);
    }

    @Test
    void nonParticipant() {
        var log = log(genesis(ALICE), ack(CAROL, 0, true, 1), put("/x", "1"));
        assertVerdict(audit(log, oplogs(CAROL, putOp("/x", "1"))), "NonParticipantError", A, -1, A);
    }

    @Test
    void processedOutOfOrderSkip() {
        var log = log(genesis(ALICE), ack(ALICE, 1, false, 0));
        assertVerdict(audit(log, oplogs(ALICE, "{\"op\":\"FAIL\"}", "{\"op\":\"FAIL\"}")),
                "ProcessedOutOfOrderError", A, -1, A);
    }

    @Test
    void processedOutOfOrderRepeat() {
        var log = log(genesis(ALICE), ack(ALICE, 0, false, 0), ack(ALICE, 0, false, 0));
        assertVerdict(audit(log, oplogs(ALICE, "{\"op\":\"FAIL\"}", "{\"op\":\"FAIL\"}")),
                "ProcessedOutOfOrderError", A + 1, -1, A + 1);
    }

    // ------------------------------------------------------------------ transactions: pending and aborted

    @Test
    void pendingWhenTheOpIsMissing() {
        var log = log(genesis(ALICE), ack(ALICE, 0, false, 0), ack(ALICE, 1, true, 1), put("/x", "1"));
        assertVerdict(audit(log, oplogs(ALICE, "{\"op\":\"FAIL\"}")), "PENDING", A + 1, -1, A + 1);
        assertVerdict(audit(log, Map.of()), "PENDING", A, -1, A);
    }

    @Test
    void pendingWhenTheWindowIsCutShort() {
        var log = log(genesis(ALICE), ack(ALICE, 0, true, 2), put("/x", "1"));
        assertVerdict(audit(log, oplogs(ALICE, "{\"op\":\"TWO\"}")), "PENDING", A, -1, A);
    }

    @Test
    void abortedWhenTheReplayHitsAMonitorLimit() {
        var log = log(genesis(ALICE), ack(ALICE, 0, false, 0));
        assertVerdict(audit(log, oplogs(ALICE, "{\"op\":\"MANY\"}")), "ABORTED", A, -1, A);
    }

    // ------------------------------------------------------------------ transactions: replay

    @Test
    void monitorApplyFailed() {
        var log = log(genesis(ALICE), ack(ALICE, 0, true, 0));
        assertVerdict(audit(log, oplogs(ALICE, "{\"op\":\"FAIL\"}")), "MonitorApplyFailedError", A, -1, A);
        // an op that is not UTF-8 fails
        Map<String, List<byte[]>> bad = Map.of(ALICE, List.of(new byte[] {'{', (byte) 0xFF, '}'}));
        assertVerdict(audit(log, bad), "MonitorApplyFailedError", A, -1, A);
        assertVerdict(audit(log(genesis(ALICE), ack(ALICE, 0, false, 0)), bad), "OK", -1, -1, A + 1);
    }

    @Test
    void executorApplyFailed() {
        var log = log(genesis(ALICE), ack(ALICE, 0, false, 0));
        assertVerdict(audit(log, oplogs(ALICE, putOp("/x", "1"))), "ExecutorApplyFailedError", A, -1, A);
    }

    @Test
    void changeMismatch() {
        var value = log(genesis(ALICE), ack(ALICE, 0, true, 2), put("/x", "1"), put("/y", "3"));
        assertVerdict(audit(value, oplogs(ALICE, "{\"op\":\"TWO\"}")), "ChangeMismatchError", A, A + 2, A);
        var path = log(genesis(ALICE), ack(ALICE, 0, true, 1), put("/x/", "1"));
        assertVerdict(audit(path, oplogs(ALICE, putOp("x", "1"))), "ChangeMismatchError", A, A + 1, A);
        var type = log(genesis(ALICE), ack(ALICE, 0, true, 1), del("/x"));
        assertVerdict(audit(type, oplogs(ALICE, putOp("/x", "1"))), "ChangeMismatchError", A, A + 1, A);
        var string = log(genesis(ALICE), ack(ALICE, 0, true, 1), put("/x", "\"1\""));
        assertVerdict(audit(string, oplogs(ALICE, putOp("/x", "1"))), "ChangeMismatchError", A, A + 1, A);
    }

    @Test
    void changeNotProducedByExecutor() {
        var log = log(genesis(ALICE), ack(ALICE, 0, true, 1), put("/x", "1"));
        assertVerdict(audit(log, oplogs(ALICE, "{\"op\":\"TWO\"}")), "ChangeNotProducedByExecutorError", A, -1, A);
        var none = log(genesis(ALICE), ack(ALICE, 0, true, 0));
        assertVerdict(audit(none, oplogs(ALICE, putOp("/x", "1"))), "ChangeNotProducedByExecutorError", A, -1, A);
    }

    @Test
    void changeNotProducedByMonitorInTheWindow() {
        var log = log(genesis(ALICE), ack(ALICE, 0, true, 2), put("/x", "1"), put("/z", "1"));
        assertVerdict(audit(log, oplogs(ALICE, putOp("/x", "1"))), "ChangeNotProducedByMonitorError", A, A + 2, A);
    }

    // ------------------------------------------------------------------ JSON helpers

    @Test
    void strictJsonParser() {
        assertThat(NaiveAuditor.parseString(" [1, {\"a\": null}] ")).isNotNull();
        assertThat(NaiveAuditor.parseString("{\"a\":1,\"a\":1}")).isNull();
        assertThat(NaiveAuditor.parseString("[01]")).isNull();
        assertThat(NaiveAuditor.parseString("[1.]")).isNull();
        assertThat(NaiveAuditor.parseString("[1,]")).isNull();
        assertThat(NaiveAuditor.parseString("\"\t\"")).isNull();
        assertThat(NaiveAuditor.parseString("\"\\ud800\"")).isNotNull();
        assertThat(NaiveAuditor.parseString("1 2")).isNull();
        assertThat(NaiveAuditor.parseString("")).isNull();
        assertThat(NaiveAuditor.parseBytes(new byte[] {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'})).isNull();
        assertThat(NaiveAuditor.parseBytes(new byte[] {'"', (byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80, '"'})).isNull();
        assertThat(NaiveAuditor.jsonEquals(NaiveAuditor.parseString("[1e0,-0,\"\\u00e9\"]"),
                NaiveAuditor.parseString("[1.0,0,\"é\"]"))).isTrue();
        assertThat(NaiveAuditor.jsonEquals(NaiveAuditor.parseString("{\"a\":1}"),
                NaiveAuditor.parseString("{\"a\":1,\"b\":1}"))).isFalse();
        assertThat(NaiveAuditor.jsonEquals(NaiveAuditor.parseString("[1,2]"), NaiveAuditor.parseString("[2,1]"))).isFalse();
        // deep nesting is still JSON (the auditor parses on a big-stack thread): a well-formed put, wrong place
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        assertVerdict(audit(List.of(header(), put("/d", deep)), Map.of()), "UnexpectedPathError", 1, -1, 1);
    }
}
