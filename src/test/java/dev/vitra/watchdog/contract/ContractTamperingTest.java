package dev.vitra.watchdog.contract;

import static dev.vitra.watchdog.contract.ContractTestSupport.ENGINE;
import static dev.vitra.watchdog.contract.ContractTestSupport.aborted;
import static dev.vitra.watchdog.contract.ContractTestSupport.apply;
import static dev.vitra.watchdog.contract.ContractTestSupport.applying;
import static dev.vitra.watchdog.contract.ContractTestSupport.entries;
import static dev.vitra.watchdog.contract.ContractTestSupport.load;
import static dev.vitra.watchdog.contract.ContractTestSupport.rejection;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Contracts that attack the runtime itself: none may change what the runtime reports. */
class ContractTamperingTest {
    private static final String OP = "{\"op\":\"X\"}";
    private final MemoryIndex empty = new MemoryIndex();

    @Test
    void replacingMapStringAndRegExpMethodsFailsTheOpAndCannotForgeChanges() {
        // In the frozen realm every such replacement throws: the op fails (engine-dependent, PROTOCOL §4).
        for (String tamper : List.of("Map.prototype.set = function () {}", "Object.prototype.valueText = 'x'",
                "String.prototype.charCodeAt = () => 65", "RegExp.prototype.exec = () => ({})",
                "String.prototype[Symbol.split] = () => ['', '.sys', 'x']")) {
            ApplyOutcome out = apply(applying(tamper + "; tx.put('/a', 1)"), empty, OP);
            assertThat(out).as(tamper).isInstanceOf(ApplyOutcome.Rejected.class);
            assertThat(out.engineDependentFeatures()).as(tamper).contains("modifies a frozen built-in");
        }
        // Caught, the attempt changes nothing: the runtime's own checks still hold.
        assertThat(rejection(apply(applying("try { String.prototype.charCodeAt = () => 65 } catch (e) {}"
                + " tx.put('/a', '\u20ac'.repeat(30000))"), empty, OP))).contains("more than 65535");
        assertThat(rejection(apply(applying("try { RegExp.prototype.test = () => true } catch (e) {}"
                + "tx.addOplog({pubkey: 'x\",\"active\":false,\"y\":\"' + 'a'.repeat(40)})"), empty, OP))).contains("64 lowercase hex");
        assertThat(entries(apply(applying("try { String.prototype.split = () => ['.sys'] } catch (e) {} tx.put('/a/b', 1)"),
                empty, OP))).containsExactly("{\"type\":\"put\",\"path\":\"/a/b\",\"value\":1}");
    }

    @Test
    void aCaughtRefusalStillFailsTheOp() {
        assertThat(rejection(apply(applying("try { tx.put('/.sys/x', 1) } catch (e) {} tx.put('/a', 1)"), empty, OP)))
                .contains("/.sys");
        assertThat(rejection(apply(applying("try { tx.put('/', 1) } catch (e) {} tx.put('/a', 1)"), empty, OP)))
                .contains("normalises");
        assertThat(rejection(apply(applying("try { tx.put('/u', undefined) } catch (e) {} tx.put('/a', 1)"), empty, OP)))
                .contains("cannot be stored");
        assertThat(rejection(apply(applying("try { Math.random() } catch (e) {} tx.put('/a', 1)"), empty, OP)))
                .contains("Math.random()");
        assertThat(rejection(apply(applying("try { await index.get('/') } catch (e) {} tx.put('/a', 1)"), empty, OP)))
                .contains("normalises");
    }

    @Test
    void aCaughtLimitIsStillALimitAndALimitCannotBeForged() {
        ApplyOutcome.Aborted caught = aborted(apply(applying("try { for (let i = 0; i < 1001; i++) tx.put('/k' + i, 1) } catch (e) { throw new Error('mine') }"), empty, OP));
        assertThat(caught.reason()).isEqualTo(AbortReason.CHANGE_LIMIT);
        assertThat(aborted(apply(applying("try { for (let i = 0; i < 1001; i++) tx.put('/k' + i, 1) } catch (e) {}"), empty, OP)).reason())
                .isEqualTo(AbortReason.CHANGE_LIMIT);
        assertThat(rejection(apply(applying("Object.defineProperty(Error, Symbol.hasInstance, {value: () => true});"
                + "throw {reason: 'TIME_BUDGET', message: 'forged'}"), empty, OP))).isNotEmpty();
        assertThat(rejection(apply(applying("throw {reason: 'BOGUS', message: 'x'}"), empty, OP))).isNotEmpty();
    }

    @Test
    void stateOnTheRuntimesOwnModulesIsImpossible() {
        Contract c = load("import assert from 'assert'\nimport { index, listOplogs } from 'contract'\n"
                + "export function apply (tx) { const r = []; for (const o of [assert, assert.equal, index, index.get, listOplogs]) {"
                + " try { o.n = (o.n || 0) + 1; r.push(o.n) } catch (e) { r.push('frozen') } } tx.put('r', r) }\n");
        for (int i = 0; i < 3; i++) {
            assertThat(entries(apply(c, empty, OP))).containsExactly(
                    "{\"type\":\"put\",\"path\":\"/r\",\"value\":[\"frozen\",\"frozen\",\"frozen\",\"frozen\",\"frozen\"]}");
        }
    }

    @Test
    void stateOnIntrinsicFunctionObjectsIsImpossibleInTheFrozenRealm() {
        Contract c = load("export function apply (tx) { let n; try { JSON.parse.n = (JSON.parse.n || 0) + 1; n = JSON.parse.n }"
                + " catch (e) { n = 'frozen' } tx.put('n', n) }\n");
        try (ContractSession session = ENGINE.openSession(c)) {
            for (int i = 0; i < 40; i++) {
                assertThat(entries(session.apply(empty, OP, ContractTestSupport.ack(i))))
                        .containsExactly("{\"type\":\"put\",\"path\":\"/n\",\"value\":\"frozen\"}");
            }
        }
    }

    @Test
    void aContractThatFailsToLoadAfterTryingToDirtyGlobalsFailsTheSameWayEveryTime() {
        Contract c = load("if (!globalThis.seen) { try { globalThis.seen = 1 } catch (e) {} throw new Error('first load') }\n"
                + "export function apply (tx) { tx.put('a', 1) }\n");
        try (ContractSession session = ENGINE.openSession(c)) {
            for (int i = 0; i < 4; i++) {
                assertThat(rejection(session.apply(empty, OP, ContractTestSupport.ack(i)))).contains("first load");
            }
        }
    }

    @Test
    void isWriterIsFalseForModuleTopLevelCodeDuringApplyEvenAfterAWriterCall() {
        Contract c = load("import { isWriter } from 'contract'\nconst w = isWriter\n"
                + "export function poke () { return w }\nexport function apply (tx) { tx.put('w', w) }\n");
        try (ContractSession session = ENGINE.openSession(c)) {
            assertThat(session.call("poke", null, true, empty)).isInstanceOfSatisfying(CallOutcome.Returned.class,
                    r -> assertThat(r.resultJson()).contains("true"));
            assertThat(entries(session.apply(empty, OP, ContractTestSupport.ack(0))))
                    .containsExactly("{\"type\":\"put\",\"path\":\"/w\",\"value\":false}");
        }
    }
}
