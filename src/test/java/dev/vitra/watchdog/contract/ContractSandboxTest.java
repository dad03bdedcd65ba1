package dev.vitra.watchdog.contract;

import static dev.vitra.watchdog.contract.ContractTestSupport.ENGINE;
import static dev.vitra.watchdog.contract.ContractTestSupport.aborted;
import static dev.vitra.watchdog.contract.ContractTestSupport.apply;
import static dev.vitra.watchdog.contract.ContractTestSupport.applying;
import static dev.vitra.watchdog.contract.ContractTestSupport.entries;
import static dev.vitra.watchdog.contract.ContractTestSupport.load;
import static dev.vitra.watchdog.contract.ContractTestSupport.rejection;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Determinism guards and limits on hostile contracts; after each, the engine keeps working. */
class ContractSandboxTest {
    private static final String OP = "{\"op\":\"X\"}";
    private final MemoryIndex empty = new MemoryIndex();

    private String fails(String body) {
        return rejection(apply(applying(body), empty, OP));
    }

    private void engineStillWorks() {
        assertThat(entries(apply(applying("tx.put('ok', 1)"), empty, OP))).hasSize(1);
    }

    @Test
    void clockRandomnessUuidsAndTimersThrowInsideApply() {
        assertThat(fails("Math.random()")).contains("Math.random() is not available inside apply()");
        assertThat(fails("Date.now()")).contains("Date.now() is not available inside apply()");
        assertThat(fails("new Date()")).contains("new Date() without arguments");
        assertThat(fails("Date()")).contains("Date() is not available");
        assertThat(fails("genUUID()")).contains("genUUID() is not available inside apply()");
        assertThat(fails("setTimeout(() => {}, 1)")).contains("setTimeout is not available");
        assertThat(fails("setInterval(() => {}, 1)")).contains("setInterval is not available");
        assertThat(entries(apply(applying("tx.put('t', new Date(86400000).toISOString()); tx.put('u', Date.UTC(2000, 0, 1))"), empty, OP)))
                .containsExactly("{\"type\":\"put\",\"path\":\"/t\",\"value\":\"1970-01-02T00:00:00.000Z\"}",
                        "{\"type\":\"put\",\"path\":\"/u\",\"value\":946684800000}");
    }

    @Test
    void intlDateFormattingWithoutADateIsRefusedInsideApply() {
        String body = "if (typeof Intl === 'undefined') { tx.put('intl', 'absent'); return }"
                + "const f = new Intl.DateTimeFormat('en-US', {timeZone: 'UTC'});"
                + "tx.put('fixed', f.format(new Date(0)));"
                + "let refused = 0; try { f.format() } catch (e) { refused++ } try { f.formatToParts() } catch (e) { refused++ }"
                + "tx.put('refused', refused)";
        ApplyOutcome out = apply(applying(body), empty, OP);
        if (out instanceof ApplyOutcome.Applied a && a.changes().size() == 1) {
            assertThat(entries(out)).containsExactly("{\"type\":\"put\",\"path\":\"/intl\",\"value\":\"absent\"}");
        } else {
            assertThat(rejection(out)).contains("Intl.DateTimeFormat");
        }
    }

    @Test
    void moduleTopLevelCodeIsAlsoDeterministic() {
        Contract c = load("const started = Date.now()\nexport function apply (tx) { tx.put('t', started) }\n");
        assertThat(rejection(apply(c, empty, OP))).contains("contract does not load").contains("Date.now()");
    }

    @Test
    void evalAndFunctionConstructorsAreRefused() {
        assertThat(fails("eval('1')")).contains("dynamic evaluation of code is disabled");
        assertThat(fails("new Function('return 1')")).contains("dynamic evaluation of code is disabled");
        assertThat(fails("(async function(){}).constructor('return 1')")).contains("dynamic evaluation");
        assertThat(fails("(function*(){}).constructor('yield 1')")).contains("dynamic evaluation");
    }

    @Test
    void javaPolyglotAndOtherImportsAreUnreachable() {
        assertThat(fails("Java.type('java.lang.System')")).contains("Java is not defined");
        assertThat(fails("Polyglot.eval('js', '1')")).contains("Polyglot is not defined");
        assertThat(fails("await import('fs')")).contains("may import only 'contract', 'assert' and 'util', not 'fs'");
        assertThat(rejection(apply(load("import fs from 'fs'\nexport function apply () {}"), empty, OP)))
                .contains("contract does not load").contains("not 'fs'");
        assertThat(rejection(apply(load("import * as rt from '/vitra-internal/runtime.mjs'\nexport function apply (tx) { tx.put('x', Object.keys(rt)) }"), empty, OP)))
                .contains("contract does not load");
    }

    @Test
    void hostBridgeAndRuntimeInternalsAreNotVisibleToContracts() {
        assertThat(entries(apply(applying("tx.put('g', Object.getOwnPropertyNames(globalThis).filter(k => k.includes('vitra')))"), empty, OP)))
                .containsExactly("{\"type\":\"put\",\"path\":\"/g\",\"value\":[]}");
    }

    @Test
    void anEndlessLoopIsCutOffByTheTimeBudgetAndTheEngineKeepsWorking() {
        Instant start = Instant.now();
        ApplyOutcome.Aborted a = aborted(apply(applying("while (true) {}"), empty, OP));
        assertThat(a.reason()).isEqualTo(AbortReason.TIME_BUDGET);
        assertThat(a.detail()).contains("budget of 2000 ms");
        assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(30));
        engineStillWorks();
        assertThat(aborted(apply(applying("await new Promise(() => { while (true) {} })"), empty, OP)).reason())
                .isEqualTo(AbortReason.TIME_BUDGET);
        engineStillWorks();
    }

    @Test
    void deepRecursionIsALimitNotAVerdict() {
        ApplyOutcome.Aborted a = aborted(apply(applying("const f = (n) => f(n + 1) + 1; f(0)"), empty, OP));
        assertThat(a.reason()).isEqualTo(AbortReason.STACK_DEPTH);
        engineStillWorks();
    }

    @Test
    void anAllocationBombIsCancelledByTheHeapGuardAndTheJvmStaysHealthy() throws Exception {
        // A generous time budget, so that it is the heap guard, not the clock, that stops the bomb.
        try (ContractEngine patient = ContractEngine.create(ContractLimits.defaults().withTimeBudget(Duration.ofSeconds(60)))) {
            Contract bomb = patient.load("export function apply () { const keep = []; while (true) keep.push(new Float64Array(1 << 24)) }");
            ApplyOutcome.Aborted a = aborted(patient.apply(bomb, empty, OP, ContractTestSupport.ack(0)));
            assertThat(a.reason()).isEqualTo(AbortReason.MEMORY);
            // Either the guard cancels it or the JVM refuses the allocation first: both are MEMORY, both name the heap.
            assertThat(a.detail()).contains("heap");
            assertThat(heapReleasedWithin(Duration.ofSeconds(20))).as("the bomb's memory is released").isTrue();
            assertThat(entries(patient.apply(patient.load("export function apply (tx) { tx.put('ok', 1) }"), empty, OP,
                    ContractTestSupport.ack(1)))).hasSize(1);
        }
        engineStillWorks();
    }

    /** The cancelled context finishes closing on another thread; its heap is free once it has. */
    private static boolean heapReleasedWithin(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        Runtime rt = Runtime.getRuntime();
        while (System.nanoTime() < deadline) {
            System.gc();
            if (rt.totalMemory() - rt.freeMemory() < rt.maxMemory() / 2) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    @Test
    void tooManyChangesIsAMonitorLimit() {
        ApplyOutcome.Aborted a = aborted(apply(applying("for (let i = 0; i < 5000; i++) tx.put('k' + i, i)"), empty, OP));
        assertThat(a.reason()).isEqualTo(AbortReason.CHANGE_LIMIT);
        assertThat(a.detail()).contains("more than 1000 changes");
    }

    @Test
    void oversizedSourceIsRefusedAtLoad() {
        assertThatThrownBy(() -> ENGINE.load("// " + "x".repeat(70_000))).isInstanceOf(ContractLoadException.class)
                .hasMessageContaining("70003 bytes, more than the limit of 65535");
    }

    @Test
    void syntaxErrorsMakeEveryOpFail() {
        assertThat(rejection(apply(load("export function apply ( {"), empty, OP))).contains("contract does not load").contains("SyntaxError");
    }

    @Test
    void modifyingAFrozenBuiltInFailsTheOpAsEngineDependentAndChangesNothing() {
        for (String tamper : List.of("JSON.stringify = () => '\"forged\"'", "JSON.parse = () => ({})",
                "Promise.prototype.then = function () { throw new Error('hijacked') }",
                "Object.defineProperty(Object.prototype, 'pubkey', {get() { return 'f'.repeat(64) }, configurable: true})",
                "Array.prototype.sort = function () { return this.reverse() }", "globalThis.calls = 1",
                "delete Math.max", "Object.setPrototypeOf(Array.prototype, null)")) {
            ApplyOutcome out = apply(applying(tamper + "; tx.put('b', 1)"), empty, OP);
            assertThat(out).as(tamper).isInstanceOf(ApplyOutcome.Rejected.class);
            assertThat(out.engineDependentFeatures()).as(tamper).contains("modifies a frozen built-in");
        }
        // The next transaction, in whatever context, sees pristine intrinsics.
        assertThat(entries(apply(applying("tx.put('clean', [JSON.stringify({a: 1}), ({}).pubkey === undefined, [2, 1].sort()])"), empty, OP)))
                .containsExactly("{\"type\":\"put\",\"path\":\"/clean\",\"value\":[\"{\\\"a\\\":1}\",true,[1,2]]}");
    }

    @Test
    void aModuleLevelCounterNeverCarriesOverBetweenTransactions() {
        Contract stateful = load("let calls = 0\nexport function apply (tx) { calls++; tx.put('calls', calls) }\n");
        for (int i = 0; i < 50; i++) {
            assertThat(entries(apply(stateful, empty, OP))).containsExactly("{\"type\":\"put\",\"path\":\"/calls\",\"value\":1}");
        }
        try (ContractSession session = ENGINE.openSession(stateful)) {
            for (int i = 0; i < 50; i++) {
                assertThat(entries(session.apply(empty, OP, ContractTestSupport.ack(i))))
                        .containsExactly("{\"type\":\"put\",\"path\":\"/calls\",\"value\":1}");
            }
        }
        assertThat(ENGINE.applyFresh(stateful, empty, OP, ContractTestSupport.ack(0)))
                .isEqualTo(apply(stateful, empty, OP));
    }

    @Test
    void aContractKeepingStateInGlobalsGetsTheFreshInstanceOutcomeEveryTime() {
        for (String source : List.of(
                "export function apply (tx) { globalThis.calls = (globalThis.calls || 0) + 1; tx.put('calls', globalThis.calls) }\n",
                "export function apply (tx) { Object.prototype.n = (Object.prototype.n || 0) + 1; tx.put('n', ({}).n) }\n")) {
            Contract stateful = load(source);
            ApplyOutcome fresh = ENGINE.applyFresh(stateful, empty, OP, ContractTestSupport.ack(0));
            try (ContractSession session = ENGINE.openSession(stateful)) {
                for (int i = 0; i < 20; i++) {
                    assertThat(session.apply(empty, OP, ContractTestSupport.ack(i))).isEqualTo(fresh);
                }
            }
            for (int i = 0; i < 20; i++) {
                assertThat(apply(stateful, empty, OP)).isEqualTo(fresh);
            }
        }
    }

    @Test
    void reusedAndFreshInstancesAgreeOnEveryExampleContractOp() {
        Contract counter = load(ContractTestSupport.resource("counter.js"));
        MemoryIndex index = new MemoryIndex();
        for (int i = 0; i < 30; i++) {
            ApplyOutcome reused = ENGINE.apply(counter, index, "{\"op\":\"INCREMENT\"}", ContractTestSupport.ack(i));
            assertThat(ENGINE.applyFresh(counter, index, "{\"op\":\"INCREMENT\"}", ContractTestSupport.ack(i))).isEqualTo(reused);
            index.apply(((ApplyOutcome.Applied) reused).changes(), 100 + i);
        }
        assertThat(index.get("/counter").orElseThrow().valueJson()).isEqualTo("30");
    }

    @Test
    void aFailingIndexIsAnAvailabilityProblemEvenIfTheContractCatchesIt() {
        IndexView broken = new IndexView() {
            @Override
            public java.util.Optional<IndexEntry> get(String path) {
                throw new IllegalStateException("database is down");
            }

            @Override
            public List<IndexChild> list(String prefix) {
                throw new IllegalStateException("database is down");
            }
        };
        Contract c = applying("let v; try { v = await index.get('k') } catch (e) { v = 'swallowed' } tx.put('v', v ?? null)");
        ApplyOutcome.Aborted a = aborted(ENGINE.apply(c, broken, OP, ContractTestSupport.ack(0)));
        assertThat(a.reason()).isEqualTo(AbortReason.INDEX_UNAVAILABLE);
        assertThat(a.detail()).contains("database is down");
    }
}
