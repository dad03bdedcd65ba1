package dev.vitra.watchdog.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vitra.watchdog.contract.Change;
import dev.vitra.watchdog.contract.ContractEngine;
import dev.vitra.watchdog.contract.ContractLimits;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The bare run of `bench contract` is a ceiling only if it does the contract's work: the runtime's changes, op for op. */
class ContractBenchTest {
    private static ContractEngine engine;

    @BeforeAll
    static void start() {
        engine = ContractEngine.create(ContractLimits.defaults());
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    @ParameterizedTest
    @EnumSource(ContractBench.Workload.class)
    void bareRunMakesTheRuntimesChangesOpForOp(ContractBench.Workload workload) throws Exception {
        // The workloads' keys repeat every 1,000 ops: the second range updates what the first one wrote.
        ContractBench.checkBareMatchesRuntime(engine, workload, LongStream.concat(LongStream.range(0, 60), LongStream.range(1_000, 1_060)));
    }

    @Test
    void bareRunSpellsChangesAsTheComparisonExpects() {
        try (ContractBench.BareContract bare = new ContractBench.BareContract(ContractBench.Workload.KV.source())) {
            assertEquals("[[\"/values/k0\",{\"n\":0,\"tags\":[\"a\",\"b\"]}]]",
                    bare.apply("{\"op\":\"PUT\",\"key\":\"k0\",\"value\":{\"n\":0,\"tags\":[\"a\",\"b\"]}}", 0));
            assertEquals("[[\"/values/k0\",null]]", bare.apply("{\"op\":\"DEL\",\"key\":\"k0\"}", 1));
        }
    }

    @Test
    void runtimeChangesAreSpelledLikeTheBareRunsSoThatADifferenceShows() {
        java.util.List<Change> changes = java.util.List.of(
                new Change(Change.Type.PUT, "/values/k0", java.util.Optional.of("{\"n\":0}"), "unused"),
                new Change(Change.Type.DEL, "/values/k1", java.util.Optional.empty(), "unused"));
        assertEquals("[[\"/values/k0\",{\"n\":0}],[\"/values/k1\",null]]", ContractBench.changesText(changes));
        assertEquals("[]", ContractBench.changesText(java.util.List.of()));
    }

    @Test
    void bareIndexRefusesToListAPrefixWithDeeperPathsInsteadOfAnsweringWithoutThem() {
        String source = "import { index } from 'contract'\n"
                + "export const apply = { async PUT (tx, op) { tx.put('/a/b/c', 1) }, async LIST (tx, op) { tx.put('/n', (await index.list('/a')).length) } }\n";
        try (ContractBench.BareContract bare = new ContractBench.BareContract(source)) {
            bare.apply("{\"op\":\"PUT\"}", 0);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> bare.apply("{\"op\":\"LIST\"}", 1));
            assertTrue(e.getMessage().contains("lists values only"), e.getMessage());
        }
    }

    @Test
    void bareRunReportsAFailingOpInsteadOfCountingIt() {
        try (ContractBench.BareContract bare = new ContractBench.BareContract(ContractBench.Workload.KV_REALISTIC.source())) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> bare.apply("{\"op\":\"DEL\",\"key\":\"missing\"}", 0));
            assertTrue(e.getMessage().contains("no such key: missing"), e.getMessage());
        }
    }
}
