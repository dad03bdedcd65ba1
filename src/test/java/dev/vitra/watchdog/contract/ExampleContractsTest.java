package dev.vitra.watchdog.contract;

import dev.vitra.watchdog.util.JsonText;
import static dev.vitra.watchdog.contract.ContractTestSupport.ALICE;
import static dev.vitra.watchdog.contract.ContractTestSupport.BOB;
import static dev.vitra.watchdog.contract.ContractTestSupport.CAROL;
import static dev.vitra.watchdog.contract.ContractTestSupport.ENGINE;
import static dev.vitra.watchdog.contract.ContractTestSupport.changes;
import static dev.vitra.watchdog.contract.ContractTestSupport.entries;
import static dev.vitra.watchdog.contract.ContractTestSupport.genesis;
import static dev.vitra.watchdog.contract.ContractTestSupport.load;
import static dev.vitra.watchdog.contract.ContractTestSupport.rejection;
import static dev.vitra.watchdog.contract.ContractTestSupport.resource;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Vitra's example contracts behave as their authors meant. */
class ExampleContractsTest {
    private long seq = 100;

    private ApplyOutcome applyAndCommit(Contract c, MemoryIndex index, String origin, String op) {
        ApplyOutcome out = ENGINE.apply(c, index, op, new Ack(origin, seq, 1000 + seq));
        seq++;
        if (out instanceof ApplyOutcome.Applied a) {
            index.apply(a.changes(), seq);
            seq += a.changes().size();
        }
        return out;
    }

    @Test
    void counterCountsEveryIncrementAndReadsItBackThroughTheParticipantApi() {
        Contract counter = load(resource("counter.js"));
        MemoryIndex index = genesis(ALICE, BOB);
        for (int i = 0; i < 5; i++) {
            applyAndCommit(counter, index, i % 2 == 0 ? ALICE : BOB, "{\"op\":\"INCREMENT\"}");
        }
        assertThat(index.get("/counter").orElseThrow().valueJson()).isEqualTo("5");
        CallOutcome read = ENGINE.call(counter, "get", null, false, index);
        assertThat(read).isEqualTo(new CallOutcome.Returned(Optional.of("5"), List.of()));
        CallOutcome write = ENGINE.call(counter, "increment", "{}", true, index);
        assertThat(write).isEqualTo(new CallOutcome.Returned(Optional.empty(), List.of("{\"op\":\"INCREMENT\"}")));
    }

    @Test
    void keyValueStoreWithAnAdminWhoAddsAndRemovesParticipants() {
        Contract kv = load(resource("kv-admin.js"));
        MemoryIndex index = genesis(ALICE, BOB);

        assertThat(entries(applyAndCommit(kv, index, ALICE, "{\"op\":\"CLAIM_ADMIN\"}")))
                .containsExactly("{\"type\":\"put\",\"path\":\"/admin\",\"value\":\"" + ALICE + "\"}");
        assertThat(rejection(applyAndCommit(kv, index, BOB, "{\"op\":\"CLAIM_ADMIN\"}"))).contains("already claimed");

        assertThat(entries(applyAndCommit(kv, index, BOB, "{\"op\":\"PUT\",\"key\":\"k\",\"value\":{\"n\":[1,2]}}")))
                .containsExactly("{\"type\":\"put\",\"path\":\"/values/k\",\"value\":{\"n\":[1,2]}}");
        assertThat(ENGINE.call(kv, "get", "{\"key\":\"k\"}", false, index))
                .isEqualTo(new CallOutcome.Returned(Optional.of("{\"n\":[1,2]}"), List.of()));

        assertThat(rejection(applyAndCommit(kv, index, BOB, "{\"op\":\"ADD_PARTICIPANT\",\"pubkey\":\"" + CAROL + "\"}")))
                .contains("only the admin");
        assertThat(entries(applyAndCommit(kv, index, ALICE, "{\"op\":\"ADD_PARTICIPANT\",\"pubkey\":\"" + CAROL + "\"}")))
                .containsExactly("{\"type\":\"put\",\"path\":\"/.sys/inputs/" + CAROL + "\",\"value\":{\"pubkey\":\"" + CAROL + "\",\"active\":true}}");
        assertThat(ENGINE.call(kv, "participants", null, false, index))
                .isEqualTo(new CallOutcome.Returned(Optional.of("[\"" + ALICE + "\",\"" + BOB + "\",\"" + CAROL + "\"]"), List.of()));

        assertThat(entries(applyAndCommit(kv, index, ALICE, "{\"op\":\"REMOVE_PARTICIPANT\",\"pubkey\":\"" + BOB + "\"}")))
                .containsExactly("{\"type\":\"put\",\"path\":\"/.sys/inputs/" + BOB + "\",\"value\":{\"pubkey\":\"" + BOB + "\",\"active\":false}}");
        assertThat(ENGINE.call(kv, "participants", null, false, index))
                .isEqualTo(new CallOutcome.Returned(Optional.of("[\"" + ALICE + "\",\"" + CAROL + "\"]"), List.of()));

        assertThat(ENGINE.call(kv, "put", "{\"key\":\"x\",\"value\":1}", false, index))
                .isInstanceOfSatisfying(CallOutcome.Failed.class, f -> assertThat(f.error()).contains("only writers"));
        assertThat(ENGINE.call(kv, "put", "{\"key\":\"x\",\"value\":1}", true, index))
                .isEqualTo(new CallOutcome.Returned(Optional.empty(), List.of("{\"op\":\"PUT\",\"key\":\"x\",\"value\":1}")));
    }

    @Test
    void contractThatUpgradesItselfPublishesTheNewSource() {
        Contract v1 = load(resource("upgradable.js"));
        MemoryIndex index = genesis(ALICE);
        String v2 = "export const apply = { GREET (tx, op) { tx.put(`/greetings/${op.name}`, `bonjour, ${op.name}`) } }\n";
        String op = "{\"op\":\"UPGRADE\",\"code\":" + JsonText.quote(v2) + "}";
        List<Change> upgrade = changes(applyAndCommit(v1, index, ALICE, op));
        assertThat(upgrade).extracting(Change::path).containsExactly("/.sys/contract/source", "/owner");
        assertThat(upgrade.get(0).valueJson()).contains(JsonText.quote(v2));

        Contract next = load(v2);
        assertThat(entries(applyAndCommit(next, index, ALICE, "{\"op\":\"GREET\",\"name\":\"ada\"}")))
                .containsExactly("{\"type\":\"put\",\"path\":\"/greetings/ada\",\"value\":\"bonjour, ada\"}");
        assertThat(rejection(applyAndCommit(v1, index, BOB, op))).contains("only the owner");
    }
}
