package dev.vitra.watchdog.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vitra.watchdog.contract.ContractEngine;
import dev.vitra.watchdog.contract.ContractLimits;
import dev.vitra.watchdog.evidence.FraudProof;
import dev.vitra.watchdog.evidence.ProofVerifier;
import dev.vitra.watchdog.executor.StaticLogServer;
import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.note.SignerKey;
import dev.vitra.watchdog.protocol.IndexEntries;
import dev.vitra.watchdog.store.Rows;
import dev.vitra.watchdog.tilewriter.LogDirectory;
import dev.vitra.watchdog.tilewriter.TileWriter;
import dev.vitra.watchdog.util.JsonText;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signed logs written by hand, for what no executor fault mode produces: every genesis code, the unsupported
 * header, acks of removed participants, changes that differ only in JSON spelling (not fraud), and limits of the
 * JavaScript engine (never fraud).
 */
class CraftedLogsTest {
    private static final ContractEngine ENGINE = ContractEngine.create(ContractLimits.defaults());
    private static final SignerKey INDEX = CounterDatabase.key(900);
    private static final SignerKey A = CounterDatabase.key(901);
    private static final SignerKey B = CounterDatabase.key(902);
    private static final LogId INDEX_ID = new LogId(INDEX.publicKey());
    private static final LogId A_ID = new LogId(A.publicKey());
    private static final LogId B_ID = new LogId(B.publicKey());
    private static String kv;

    @BeforeAll
    static void contract() throws Exception {
        kv = AuditFixture.contractSource("kv.js");
    }

    @AfterAll
    static void close() {
        ENGINE.close();
    }

    /** Index entries and oplog A's (and B's) ops, as text. */
    private static final class Logs {
        final List<String> index = new ArrayList<>();
        final List<String> a = new ArrayList<>();
        final List<String> b = new ArrayList<>();

        static Logs genesis(LogId... inputs) {
            Logs l = new Logs();
            l.index.add(new String(IndexEntries.header(), StandardCharsets.UTF_8));
            l.index.add(put(IndexEntries.CONTRACT_SOURCE_PATH, JsonText.quote(kv)));
            for (LogId id : inputs) {
                l.index.add(put(IndexEntries.INPUTS_PREFIX + id.hex(), IndexEntries.inputValue(id, true)));
            }
            l.index.add(put(IndexEntries.GENESIS_SEAL_PATH, "null"));
            return l;
        }

        /** An honest PUT transaction of op {@code seq} of {@code origin}, whose op is appended to its oplog. */
        Logs honestPut(LogId origin, long seq, String path, String valueJson) {
            (origin.equals(A_ID) ? a : b).add("{\"op\":\"PUT\",\"path\":" + JsonText.quote(path) + ",\"value\":" + valueJson + "}");
            index.add(ack(origin, seq, true, 1));
            index.add(put(path, valueJson));
            return this;
        }
    }

    static String put(String path, String valueJson) {
        return new String(IndexEntries.put(path, valueJson), StandardCharsets.UTF_8);
    }

    static String ack(LogId origin, long seq, boolean success, int numChanges) {
        return put(IndexEntries.ackPath(origin, seq),
                IndexEntries.ackValue(success, origin, seq, 5, numChanges, Optional.empty(), Optional.empty()));
    }

    /** The directory of the last {@link #audit}: its store and the logs it served, for checking proofs. */
    private static final ThreadLocal<Path> LAST = new ThreadLocal<>();

    private static PassReport audit(Path dir, Logs logs) throws Exception {
        LAST.set(dir);
        Path served = dir.resolve("served");
        write(served, INDEX, logs.index);
        write(served, A, logs.a);
        write(served, B, logs.b);
        try (StaticLogServer server = StaticLogServer.start(served, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return AuditFixture.pass(dir.resolve("store.mv.db"), ENGINE, AuditFixture.fastSettings(), Clock.systemUTC(),
                    new AuditTarget(INDEX_ID, server.baseUrl()));
        }
    }

    private static void write(Path root, SignerKey key, List<String> entries) throws Exception {
        LogId id = new LogId(key.publicKey());
        TileWriter w = TileWriter.open(new LogDirectory(root.resolve("logs").resolve(id.hex())), key, id.origin());
        for (String e : entries) {
            w.append(e.getBytes(StandardCharsets.UTF_8));
        }
        w.publish();
    }

    private static Rows.Finding fraud(PassReport r, String code, long at) {
        assertThat(r.verdict()).as("%s", r).isEqualTo(Verdict.MISBEHAVIOUR);
        Rows.Finding f = r.newFindings().stream().filter(x -> x.kind().equals("fraud")).findFirst().orElseThrow();
        assertThat(f.code()).isEqualTo(code);
        assertThat(f.atPosition()).hasValue(at);
        checkProof(f, code, at);
        return f;
    }

    /** The proof verifies offline and a replay from a local copy of the logs (verify-proof --logs) confirms it. */
    private static void checkProof(Rows.Finding finding, String code, long at) {
        Path dir = LAST.get();
        try {
            byte[] document = AuditFixture.read(dir.resolve("store.mv.db"), s -> s.proof(finding.id())).orElseThrow();
            ProofVerifier.Verified verified = ProofVerifier.verify(document);
            assertThat(verified.proof().code().name()).isEqualTo(code);
            FraudProof.Breach breach = (FraudProof.Breach) verified.proof();
            assertThat(breach.at()).isEqualTo(at);
            try (StaticLogServer server = StaticLogServer.start(dir.resolve("served"),
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
                ProofReplay.Result replayed = ProofReplay.replay(breach, server.baseUrl(), ENGINE, AuditFixture.fastSettings(),
                        line -> { });
                assertThat(replayed).as("%s", replayed).isInstanceOf(ProofReplay.Result.Confirmed.class);
            }
        } catch (Exception e) {
            throw new AssertionError("the proof of " + code + " at " + at + " does not hold: " + e, e);
        }
    }

    @Test
    void aLogWhoseEntryZeroIsNotTheHeaderDoesNotClaimToBeAnIndexUnsupportedNotFraud(@TempDir Path dir) throws Exception {
        // Only the header binds a log to the index role: a "breach" at entry 0 could be shown of any participant's
        // oplog (whose entry 0 is an op), so it is never a fraud claim (docs/audit.md).
        for (String entry0 : List.of(put("/x", "1"), "{\"type\":\"header\",\"protocol\":\"vitra/1\",\"x\":1}",
                "{\"op\":\"PUT\",\"path\":\"/a\",\"value\":1}", "not json")) {
            Logs l = Logs.genesis(A_ID);
            l.index.set(0, entry0);
            PassReport r = audit(dir.resolve(Integer.toString(entry0.hashCode())), l);
            assertThat(r.verdict()).as(entry0).isEqualTo(Verdict.COULD_NOT_VERIFY);
            assertThat(r.status()).isEqualTo(Rows.DatabaseStatus.UNSUPPORTED);
            assertThat(r.newFindings()).extracting(Rows.Finding::code).containsExactly("UnsupportedProtocol");
        }
    }

    @Test
    void aHeaderWithAnotherProtocolIsUnsupportedNotABreach(@TempDir Path dir) throws Exception {
        Logs l = Logs.genesis(A_ID);
        l.index.set(0, "{\"type\":\"header\",\"protocol\":\"vitra/2\"}");
        PassReport r = audit(dir, l);
        assertThat(r.verdict()).isEqualTo(Verdict.COULD_NOT_VERIFY);
        assertThat(r.status()).isEqualTo(Rows.DatabaseStatus.UNSUPPORTED);
        assertThat(r.newFindings()).extracting(Rows.Finding::code).containsExactly("UnsupportedProtocol");
    }

    @Test
    void aSecondHeaderAtEntryOneIsAnInvalidSchema(@TempDir Path dir) throws Exception {
        Logs l = Logs.genesis(A_ID);
        l.index.set(1, new String(IndexEntries.header(), StandardCharsets.UTF_8));
        fraud(audit(dir, l), "InvalidSchemaError", 1);
    }

    @Test
    void entryOneMustPutANonEmptyContractSource(@TempDir Path dir) throws Exception {
        Logs wrongPath = Logs.genesis(A_ID);
        wrongPath.index.set(1, put("/.sys/contract/other", JsonText.quote(kv)));
        fraud(audit(dir.resolve("a"), wrongPath), "UnexpectedPathError", 1);
        Logs empty = Logs.genesis(A_ID);
        empty.index.set(1, put(IndexEntries.CONTRACT_SOURCE_PATH, "\"\""));
        fraud(audit(dir.resolve("b"), empty), "InvalidSchemaError", 1);
    }

    @Test
    void aSealWithoutInputsIsNoGenesisInputsDeclared(@TempDir Path dir) throws Exception {
        fraud(audit(dir, Logs.genesis()), "NoGenesisInputsDeclaredError", 2);
    }

    @Test
    void genesisInputsMustBeWellFormedAndUnique(@TempDir Path dir) throws Exception {
        Logs inactive = Logs.genesis(A_ID);
        inactive.index.set(2, put(IndexEntries.INPUTS_PREFIX + A_ID.hex(), IndexEntries.inputValue(A_ID, false)));
        fraud(audit(dir.resolve("a"), inactive), "InvalidSchemaError", 2);
        Logs twice = Logs.genesis(A_ID, A_ID);
        fraud(audit(dir.resolve("b"), twice), "InvalidSchemaError", 3);
        Logs other = Logs.genesis(A_ID);
        other.index.add(3, put("/something", "1"));
        fraud(audit(dir.resolve("c"), other), "UnexpectedPathError", 3);
    }

    @Test
    void aChangeWhereAnAckIsDueWasNotProducedByTheMonitor(@TempDir Path dir) throws Exception {
        Logs l = Logs.genesis(A_ID).honestPut(A_ID, 0, "/a", "1");
        l.index.add(put("/sneaked", "true"));
        fraud(audit(dir, l), "ChangeNotProducedByMonitorError", 6);
    }

    @Test
    void anAckOfAParticipantNoLongerActiveIsANonParticipant(@TempDir Path dir) throws Exception {
        // A contract that can remove participants; A's op 0 removes B, then B's op 0 is processed anyway.
        Logs l = Logs.genesis(A_ID, B_ID);
        String removing = kv.replace("DEL (tx, op) { tx.delete(op.path) },",
                "DEL (tx, op) { tx.delete(op.path) },\n  REMOVE (tx, op) { tx.removeOplog({ pubkey: op.pubkey }) },");
        l.index.set(1, put(IndexEntries.CONTRACT_SOURCE_PATH, JsonText.quote(removing)));
        l.a.add("{\"op\":\"REMOVE\",\"pubkey\":\"" + B_ID.hex() + "\"}");
        l.index.add(ack(A_ID, 0, true, 1));
        l.index.add(put(IndexEntries.INPUTS_PREFIX + B_ID.hex(), IndexEntries.inputValue(B_ID, false)));
        l.b.add("{\"op\":\"PUT\",\"path\":\"/b\",\"value\":1}");
        l.index.add(ack(B_ID, 0, true, 1));
        l.index.add(put("/b", "1"));
        Rows.Finding f = fraud(audit(dir, l), "NonParticipantError", 7);
        assertThat(f.factsJson()).contains("\"inputWrittenAt\":6");
    }

    @Test
    void changesThatDifferOnlyInJsonSpellingAreTheSameChange(@TempDir Path dir) throws Exception {
        Logs l = Logs.genesis(A_ID);
        l.a.add("{\"op\":\"PUT\",\"path\":\"/n\",\"value\":{\"x\":1,\"y\":[1,-0,\"\\u00e9\"]}}");
        l.index.add(ack(A_ID, 0, true, 1));
        // Members in another order, 1 as 1.0 and 1e0, -0 as 0, é escaped differently, spaces: equal as JSON values.
        l.index.add("{ \"value\" : { \"y\" : [ 1.0 , 0 , \"\\u00E9\" ] , \"x\" : 1e0 } , \"path\" : \"/n\" , \"type\" : \"put\" }");
        PassReport r = audit(dir, l);
        assertThat(r.verdict()).as("%s", r).isEqualTo(Verdict.VERIFIED);
        assertThat(r.newFindings()).isEmpty();
    }

    @Test
    void aValueAsDeepAsAnEntryAllowsIsComparedNotAVerdictOfOurStack(@TempDir Path dir) throws Exception {
        Logs l = Logs.genesis(A_ID);
        String deep = "[".repeat(20_000) + "1" + "]".repeat(20_000);
        l.a.add("{\"op\":\"PUT\",\"path\":\"/deep\",\"value\":1}");
        l.index.add(ack(A_ID, 0, true, 1));
        l.index.add(put("/deep", deep));
        // The contract put 1; the executor published a 20,000-deep array: a mismatch, decided without a stack overflow.
        Rows.Finding f = fraud(audit(dir, l), "ChangeMismatchError", 4);
        assertThat(f.entryPosition()).hasValue(5);
    }

    /** An honest executor on another engine (V8) published this; the monitor's engine cannot agree: not fraud. */
    private static void engineDependentNotFraud(Path dir, Logs l) throws Exception {
        PassReport r = audit(dir, l);
        assertThat(r.newFindings()).noneMatch(x -> x.kind().equals("fraud"));
        assertThat(r.newFindings()).extracting(Rows.Finding::code).containsExactly("EngineDependentResult");
        assertThat(r.verdict()).isEqualTo(Verdict.COULD_NOT_VERIFY);
        // The audit records it and goes on from the executor's transaction.
        assertThat(r.verifiedPosition()).isEqualTo(l.index.size());
    }

    @Test
    void anOpNestedBeyondTheJsEnginesParserIsAnEngineLimitNotTheExecutorsFault(@TempDir Path dir) throws Exception {
        Logs l = Logs.genesis(A_ID);
        String deepValue = "[".repeat(30_000) + "]".repeat(30_000);
        l.a.add("{\"op\":\"PUT\",\"path\":\"/d\",\"value\":" + deepValue + "}");
        l.index.add(ack(A_ID, 0, true, 1));
        l.index.add(put("/d", deepValue));
        l.a.add("{\"op\":\"PUT\",\"path\":\"/after\",\"value\":1}");
        l.index.add(ack(A_ID, 1, true, 1));
        l.index.add(put("/after", "1"));
        engineDependentNotFraud(dir, l);
    }

    @Test
    void aValueNestedBeyondWhatOurEngineStringifiesIsAnEngineLimit(@TempDir Path dir) throws Exception {
        // V8 writes a 1,001-deep array; GraalJS refuses to stringify it (review finding F2).
        Logs l = Logs.genesis(A_ID);
        String contract = kv.replace("MULTI (tx, op) {", "DEEP (tx, op) { let v = []; for (let i = 0; i < op.n; i++) v = [v];"
                + " tx.put('/deep', v) },\n  MULTI (tx, op) {");
        l.index.set(1, put(IndexEntries.CONTRACT_SOURCE_PATH, JsonText.quote(contract)));
        l.a.add("{\"op\":\"DEEP\",\"n\":1000}");
        l.index.add(ack(A_ID, 0, true, 1));
        l.index.add(put("/deep", "[".repeat(1001) + "]".repeat(1001)));
        engineDependentNotFraud(dir, l);
    }

    @Test
    void caughtRecursionDeeperThanOurStackIsAnEngineDependentResult(@TempDir Path dir) throws Exception {
        // An engine with a deep stack recursed 100,000 deep; GraalJS overflows at that depth on any default thread stack,
        // compiled or not (review finding F2; at 5,000 the outcome depended on whether the function was compiled yet).
        Logs l = Logs.genesis(A_ID);
        String contract = kv.replace("MULTI (tx, op) {", "REC (tx, op) { const d = n => n === 0 ? 0 : 1 + d(n - 1); let r;"
                + " try { r = d(op.n) } catch (e) { r = 'overflow' } tx.put('/rec', r) },\n  MULTI (tx, op) {");
        l.index.set(1, put(IndexEntries.CONTRACT_SOURCE_PATH, JsonText.quote(contract)));
        l.a.add("{\"op\":\"REC\",\"n\":100000}");
        l.index.add(ack(A_ID, 0, true, 1));
        l.index.add(put("/rec", "100000"));
        engineDependentNotFraud(dir, l);
    }

    @Test
    void anOpWithAByteOrderMarkThatAParserMayIgnoreIsEngineDependent(@TempDir Path dir) throws Exception {
        // RFC 8259 §8.1: a parser may ignore a BOM. Node's TextDecoder does (review finding F5).
        Logs l = Logs.genesis(A_ID);
        l.a.add("\uFEFF{\"op\":\"PUT\",\"path\":\"/a\",\"value\":1}");
        l.index.add(ack(A_ID, 0, true, 1));
        l.index.add(put("/a", "1"));
        engineDependentNotFraud(dir, l);
    }

    @Test
    void aMismatchInATransactionThatUsedApproximatedMathIsEngineDependentNotFraud(@TempDir Path dir) throws Exception {
        // Node rounds the last digit of Math.pow differently on some inputs (PROTOCOL §4): the executor's value stands.
        Logs l = Logs.genesis(A_ID);
        l.index.set(1, put(IndexEntries.CONTRACT_SOURCE_PATH, JsonText.quote(
                "export const apply = { POW (tx, op) { tx.put('/p', Math.pow(op.b, op.e)) } }\n")));
        l.a.add("{\"op\":\"POW\",\"b\":1.1,\"e\":0.5}");
        l.index.add(ack(A_ID, 0, true, 1));
        l.index.add(put("/p", "1.0488088481701519")); // one ulp above what GraalJS gives
        engineDependentNotFraud(dir, l);
        // Without Math, the same kind of mismatch is a breach.
        Logs plain = Logs.genesis(A_ID);
        plain.index.set(1, put(IndexEntries.CONTRACT_SOURCE_PATH, JsonText.quote(
                "export const apply = { POW (tx, op) { tx.put('/p', op.b * op.e) } }\n")));
        plain.a.add("{\"op\":\"POW\",\"b\":1.1,\"e\":0.5}");
        plain.index.add(ack(A_ID, 0, true, 1));
        plain.index.add(put("/p", "0.5500000000000002"));
        fraud(audit(dir.resolve("plain"), plain), "ChangeMismatchError", 4);
    }

    @Test
    void aBigIntTooLongForThisMonitorToParseInTimeIsEngineDependentNotFraud(@TempDir Path dir) throws Exception {
        // Node parses it (slowly); here it would overrun the time budget uninterruptibly, so it is an engine limit.
        Logs l = Logs.genesis(A_ID);
        l.index.set(1, put(IndexEntries.CONTRACT_SOURCE_PATH, JsonText.quote(
                "export const apply = { BIG (tx, op) { tx.put('/d', String(BigInt('7'.repeat(op.n)) % 10n)) } }\n")));
        l.a.add("{\"op\":\"BIG\",\"n\":200000}");
        l.index.add(ack(A_ID, 0, true, 1));
        l.index.add(put("/d", "\"7\""));
        engineDependentNotFraud(dir, l);
    }

    @Test
    void anOpWithACodePointThisEngineDoesNotAssignIsEngineDependentNotFraud(@TempDir Path dir) throws Exception {
        // An engine with a newer Unicode version upper-cases or classifies it (review round 2: V8 and U+A7CF).
        Logs l = Logs.genesis(A_ID);
        l.index.set(1, put(IndexEntries.CONTRACT_SOURCE_PATH, JsonText.quote(
                "export const apply = { U (tx, op) { tx.put('/u', [op.s.toUpperCase(), /^\\p{L}$/u.test(op.s)]) } }\n")));
        l.a.add("{\"op\":\"U\",\"s\":\"\\u0378\"}");
        l.index.add(ack(A_ID, 0, true, 1));
        l.index.add(put("/u", "[\"\\u0379\",true]"));
        engineDependentNotFraud(dir, l);
    }

    @Test
    void aNonIsoDateStringThatEnginesParseDifferentlyIsEngineDependentNotFraud(@TempDir Path dir) throws Exception {
        Logs l = Logs.genesis(A_ID);
        l.index.set(1, put(IndexEntries.CONTRACT_SOURCE_PATH, JsonText.quote(
                "export const apply = { D (tx, op) { tx.put('/t', Date.parse(op.s)) } }\n")));
        l.a.add("{\"op\":\"D\",\"s\":\"2020-01-02 10:00:00 GMT+2\"}");
        l.index.add(ack(A_ID, 0, true, 1));
        l.index.add(put("/t", "1577952000001"));
        engineDependentNotFraud(dir, l);
    }

    @Test
    void aContractThatCatchesAFailedWriteToABuiltInIsEngineDependentNotFraud(@TempDir Path dir) throws Exception {
        // On V8 (unfrozen) the write succeeds and the executor publishes "v8path"; here the realm is frozen.
        Logs l = Logs.genesis(A_ID);
        l.index.set(1, put(IndexEntries.CONTRACT_SOURCE_PATH, JsonText.quote(
                "export const apply = { X (tx) { let v; try { Array.prototype.foo = 1; v = 'v8path' } catch (e) {"
                        + " v = 'frozenpath' } tx.put('/v', v) } }\n")));
        l.a.add("{\"op\":\"X\"}");
        l.index.add(ack(A_ID, 0, true, 1));
        l.index.add(put("/v", "\"v8path\""));
        engineDependentNotFraud(dir, l);
    }

    @Test
    void aPlainBreachStaysABreachAfterTheEngineProbes(@TempDir Path dir) throws Exception {
        // The probes never excuse a transaction that does not depend on the engine.
        Logs l = Logs.genesis(A_ID);
        l.a.add("{\"op\":\"PUT\",\"path\":\"/a\",\"value\":1}");
        l.index.add(ack(A_ID, 0, true, 1));
        l.index.add(put("/a", "2"));
        fraud(audit(dir, l), "ChangeMismatchError", 4);
    }

    @Test
    void anOpThatIsNotUtf8FailsAndAnExecutorThatAppliesItAnywayIsCaught(@TempDir Path dir) throws Exception {
        LAST.set(dir);
        Path served = dir.resolve("served");
        Logs l = Logs.genesis(A_ID);
        l.index.add(ack(A_ID, 0, true, 1));
        l.index.add(put("/a", "\"\\ufffd\""));
        write(served, INDEX, l.index);
        TileWriter w = TileWriter.open(new LogDirectory(served.resolve("logs").resolve(A_ID.hex())), A, A_ID.origin());
        w.append(new byte[] {'{', '"', 'o', 'p', '"', ':', '"', 'P', 'U', 'T', '"', ',', '"', 'p', 'a', 't', 'h', '"', ':',
            '"', '/', 'a', '"', ',', '"', 'v', 'a', 'l', 'u', 'e', '"', ':', '"', (byte) 0xff, '"', '}'});
        w.publish();
        write(served, B, List.of());
        try (StaticLogServer server = StaticLogServer.start(served, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            PassReport r = AuditFixture.pass(dir.resolve("store.mv.db"), ENGINE, AuditFixture.fastSettings(),
                    Clock.systemUTC(), new AuditTarget(INDEX_ID, server.baseUrl()));
            fraud(r, "MonitorApplyFailedError", 4);
        }
    }

    @Test
    void anOplogHostedElsewhereIsFetchedFromItsOwnBase(@TempDir Path dir) throws Exception {
        Logs l = Logs.genesis(A_ID).honestPut(A_ID, 0, "/a", "1").honestPut(A_ID, 1, "/b", "2");
        Path executorRoot = dir.resolve("executor");
        Path participantRoot = dir.resolve("participant");
        write(executorRoot, INDEX, l.index);
        write(participantRoot, A, l.a); // only the participant's own server has its oplog
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (StaticLogServer executor = StaticLogServer.start(executorRoot, loopback);
             StaticLogServer participant = StaticLogServer.start(participantRoot, loopback)) {
            PassReport without = AuditFixture.pass(dir.resolve("a.mv.db"), ENGINE, AuditFixture.fastSettings(),
                    Clock.systemUTC(), new AuditTarget(INDEX_ID, executor.baseUrl()));
            assertThat(without.verdict()).isEqualTo(Verdict.COULD_NOT_VERIFY);
            assertThat(without.newFindings()).noneMatch(f -> f.kind().equals("fraud"));
            PassReport with = AuditFixture.pass(dir.resolve("b.mv.db"), ENGINE, AuditFixture.fastSettings(),
                    Clock.systemUTC(), new AuditTarget(INDEX_ID, executor.baseUrl(),
                            java.util.Map.of(A_ID, participant.baseUrl()), java.util.Set.of()));
            assertThat(with.verdict()).as("%s", with).isEqualTo(Verdict.VERIFIED);
            assertThat(with.transactions()).isEqualTo(2);
        }
    }

    @Test
    void aServerSlowerThanOurTimeoutsIsUnreachableNotFraud(@TempDir Path dir) throws Exception {
        Logs l = Logs.genesis(A_ID).honestPut(A_ID, 0, "/a", "1");
        Path root = dir.resolve("served");
        write(root, INDEX, l.index);
        write(root, A, l.a);
        try (StaticLogServer server = StaticLogServer.start(root, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            server.setFilter((path, served, client) -> {
                Thread.sleep(1500);
                return served;
            });
            AuditSettings impatient = AuditSettings.defaults().withHttp(dev.vitra.watchdog.tileclient.TileClientConfig.defaults()
                    .withRetries(1, Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofSeconds(1))
                    .withTimeouts(Duration.ofMillis(500), Duration.ofMillis(500), Duration.ofMillis(800)));
            PassReport r = AuditFixture.pass(dir.resolve("store.mv.db"), ENGINE, impatient, Clock.systemUTC(),
                    new AuditTarget(INDEX_ID, server.baseUrl()));
            assertThat(r.verdict()).isEqualTo(Verdict.COULD_NOT_VERIFY);
            assertThat(r.newFindings()).extracting(Rows.Finding::code).containsExactly("LogUnreachable");
        }
    }

    @Test
    void aParticipantShowingTheMonitorAnotherOplogThanTheExecutorIsTheParticipantsForkNotABreach(@TempDir Path dir)
            throws Exception {
        // The executor processed version A of A's op 0 (and serves that oplog); A's own server, which the monitor is
        // configured to read, serves a version B of the same op, also signed (review finding F4).
        Logs l = Logs.genesis(A_ID).honestPut(A_ID, 0, "/a", "1");
        Path executorRoot = dir.resolve("executor");
        Path participantRoot = dir.resolve("participant");
        write(executorRoot, INDEX, l.index);
        write(executorRoot, A, l.a);
        write(participantRoot, A, List.of("{\"op\":\"PUT\",\"path\":\"/a\",\"value\":2}"));
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (StaticLogServer executor = StaticLogServer.start(executorRoot, loopback);
             StaticLogServer participant = StaticLogServer.start(participantRoot, loopback)) {
            PassReport r = AuditFixture.pass(dir.resolve("store.mv.db"), ENGINE, AuditFixture.fastSettings(), Clock.systemUTC(),
                    new AuditTarget(INDEX_ID, executor.baseUrl(), java.util.Map.of(A_ID, participant.baseUrl()),
                            java.util.Set.of()));
            assertThat(r.status()).isEqualTo(Rows.DatabaseStatus.AUDITING);
            assertThat(r.newFindings()).extracting(Rows.Finding::code).containsExactlyInAnyOrder("LogFork", "BlockedByOplogFork");
            assertThat(r.newFindings()).filteredOn(f -> f.code().equals("LogFork")).singleElement()
                    .satisfies(f -> assertThat(f.log()).hasValue(A_ID));
        }
    }

    /** Writes oplog A's directory afresh as {@code ops}, optionally without its tiles (withheld). */
    private static void serveOplog(Path root, List<String> ops, boolean withholdTiles) throws Exception {
        Path logDir = root.resolve("logs").resolve(A_ID.hex());
        if (java.nio.file.Files.exists(logDir)) {
            try (var files = java.nio.file.Files.walk(logDir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        write(root, A, ops);
        if (withholdTiles) {
            try (var files = java.nio.file.Files.walk(logDir.resolve("tile"))) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static List<String> ops(String... values) {
        return java.util.Arrays.stream(values).map(v -> "{\"op\":\"PUT\",\"path\":\"/x\",\"value\":" + v + "}").toList();
    }

    @Test
    void aSignedCheckpointWhoseTilesWereWithheldIsStillComparedOnceTheTreeCoversIt(@TempDir Path dir) throws Exception {
        // Review finding: B1 (size 5) is served with its tiles withheld, then B2 (size 5, another root) with its tiles.
        // Both are signed: a fork, though B1 never verified.
        Logs l = Logs.genesis(A_ID);
        Path root = dir.resolve("served");
        write(root, INDEX, l.index);
        write(root, B, List.of());
        serveOplog(root, ops("1", "2", "3"), false);
        try (StaticLogServer server = StaticLogServer.start(root, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            Path store = dir.resolve("store.mv.db");
            AuditTarget target = new AuditTarget(INDEX_ID, server.baseUrl());
            assertThat(AuditFixture.pass(store, ENGINE, AuditFixture.fastSettings(), Clock.systemUTC(), target).newFindings())
                    .noneMatch(f -> f.kind().equals("fraud"));
            serveOplog(root, ops("1", "2", "3", "4", "5"), true);
            PassReport withheld = AuditFixture.pass(store, ENGINE, AuditFixture.fastSettings(), Clock.systemUTC(), target);
            assertThat(withheld.newFindings()).extracting(Rows.Finding::code).contains("TilesUnavailable");
            serveOplog(root, ops("1", "2", "3", "4", "66"), false);
            PassReport later = AuditFixture.pass(store, ENGINE, AuditFixture.fastSettings(), Clock.systemUTC(), target);
            assertThat(later.verdict()).isEqualTo(Verdict.MISBEHAVIOUR);
            assertThat(later.newFindings()).filteredOn(f -> f.code().equals("LogFork")).singleElement()
                    .satisfies(f -> assertThat(f.log()).hasValue(A_ID));
        }
    }

    @Test
    void acceptingAForkAdoptsExactlyTheForkedVersionAtomicallyAndNeverAThirdOne(@TempDir Path dir) throws Exception {
        Logs l = Logs.genesis(A_ID);
        Path root = dir.resolve("served");
        write(root, INDEX, l.index);
        write(root, B, List.of());
        serveOplog(root, ops("1", "2", "3"), false); // version A
        try (StaticLogServer server = StaticLogServer.start(root, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            Path store = dir.resolve("store.mv.db");
            AuditTarget plain = new AuditTarget(INDEX_ID, server.baseUrl());
            AuditTarget accept = new AuditTarget(INDEX_ID, server.baseUrl(), java.util.Map.of(), java.util.Set.of(A_ID));
            AuditFixture.pass(store, ENGINE, AuditFixture.fastSettings(), Clock.systemUTC(), plain);
            serveOplog(root, ops("1", "2", "4"), false); // version B: a fork
            assertThat(AuditFixture.pass(store, ENGINE, AuditFixture.fastSettings(), Clock.systemUTC(), plain).newFindings())
                    .extracting(Rows.Finding::code).containsExactly("LogFork");
            // Accepting while B cannot be read changes nothing.
            serveOplog(root, ops("1", "2", "4"), true);
            PassReport failed = AuditFixture.pass(store, ENGINE, AuditFixture.fastSettings(), Clock.systemUTC(), accept);
            assertThat(failed.notes()).singleElement().asString().contains("could not be verified").contains("stays open");
            assertThat(failed.verdict()).isEqualTo(Verdict.MISBEHAVIOUR);
            assertThat(failed.logs()).filteredOn(p -> p.log().equals(A_ID)).singleElement()
                    .satisfies(p -> assertThat(p.verifiedSize()).isEqualTo(3));
            // A third version C is served: accepting adopts B only, so it cannot succeed; C is never taken silently.
            serveOplog(root, ops("1", "2", "5"), false);
            PassReport third = AuditFixture.pass(store, ENGINE, AuditFixture.fastSettings(), Clock.systemUTC(), accept);
            assertThat(third.notes()).singleElement().asString().contains("could not be verified");
            assertThat(third.verdict()).isEqualTo(Verdict.MISBEHAVIOUR);
            PassReport plainThird = AuditFixture.pass(store, ENGINE, AuditFixture.fastSettings(), Clock.systemUTC(), plain);
            assertThat(plainThird.verdict()).isEqualTo(Verdict.MISBEHAVIOUR);
            // B served again: accepted, the fork resolved, B followed.
            serveOplog(root, ops("1", "2", "4"), false);
            PassReport resolved = AuditFixture.pass(store, ENGINE, AuditFixture.fastSettings(), Clock.systemUTC(), accept);
            assertThat(resolved.notes()).singleElement().asString().contains("fork resolved");
            assertThat(resolved.openFindings()).noneMatch(f -> f.kind().equals("fraud"));
            assertThat(AuditFixture.pass(store, ENGINE, AuditFixture.fastSettings(), Clock.systemUTC(), accept).notes())
                    .singleElement().asString().contains("no open fork");
        }
    }

    @Test
    void genesisOplogsAreFollowedFromTheFirstPassSoUnprocessedOpsAreSeen(@TempDir Path dir) throws Exception {
        Logs l = Logs.genesis(A_ID);
        l.a.add("{\"op\":\"PUT\",\"path\":\"/a\",\"value\":1}"); // published, never processed
        PassReport r = audit(dir, l);
        assertThat(r.verdict()).isEqualTo(Verdict.PENDING);
        assertThat(r.newFindings()).extracting(Rows.Finding::code).containsExactly("OpNotYetProcessed");
    }

    @Test
    void aSignedCheckpointOfAnAbsurdSizeIsOurLimitNotAHangNorFraud(@TempDir Path dir) throws Exception {
        Logs l = Logs.genesis(A_ID);
        Path root = dir.resolve("served");
        write(root, INDEX, l.index);
        write(root, A, l.a);
        write(root, B, l.b);
        // The index signs a checkpoint of 2^40 entries; no tiles for it exist.
        SignedCheckpointFile.write(root.resolve("logs").resolve(INDEX_ID.hex()), INDEX, INDEX_ID, 1L << 40);
        try (StaticLogServer server = StaticLogServer.start(root, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            PassReport r = AuditFixture.pass(dir.resolve("store.mv.db"), ENGINE, AuditFixture.fastSettings(), Clock.systemUTC(),
                    new AuditTarget(INDEX_ID, server.baseUrl()));
            assertThat(r.verdict()).isEqualTo(Verdict.COULD_NOT_VERIFY);
            assertThat(r.newFindings()).extracting(Rows.Finding::code).containsExactly("GrowthTooLarge");
            PassReport small = AuditFixture.pass(dir.resolve("store2.mv.db"), ENGINE,
                    AuditFixture.fastSettings().withMaxGrowth(1L << 50), Clock.systemUTC(), new AuditTarget(INDEX_ID, server.baseUrl()));
            assertThat(small.verdict()).isEqualTo(Verdict.COULD_NOT_VERIFY);
            assertThat(small.newFindings()).noneMatch(f -> f.kind().equals("fraud"));
        }
    }

    /** A checkpoint file signed for any size, with a made-up root. */
    static final class SignedCheckpointFile {
        static void write(Path logDir, SignerKey key, LogId id, long size) throws Exception {
            byte[] root = new byte[32];
            java.util.Arrays.fill(root, (byte) 7);
            var cp = dev.vitra.watchdog.note.SignedCheckpoint.sign(
                    new dev.vitra.watchdog.note.Checkpoint(id.origin(), size, new dev.vitra.watchdog.merkle.Hash(root)), key);
            java.nio.file.Files.write(logDir.resolve("checkpoint"), cp.raw());
        }
    }
}
