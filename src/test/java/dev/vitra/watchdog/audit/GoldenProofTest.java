package dev.vitra.watchdog.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vitra.watchdog.contract.ContractEngine;
import dev.vitra.watchdog.contract.ContractLimits;
import dev.vitra.watchdog.evidence.ProofVerifier;
import dev.vitra.watchdog.executor.Fault;
import dev.vitra.watchdog.store.Rows;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proofs under src/test/resources/proofs/ were made once by this test from an executor with fixed keys and a
 * fixed clock; making them again must give the same bytes, so a change of the format or of its canonical form is
 * caught here (and has to be a deliberate new format version). To write them again after such a change, run with
 * {@code -Dvitra.writeGoldenProofs=src/test/resources/proofs}.
 */
class GoldenProofTest {
    private static final ContractEngine ENGINE = ContractEngine.create(ContractLimits.defaults());

    @AfterAll
    static void closeEngine() {
        ENGINE.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"change-mismatch", "processed-twice", "window-swallows-ack", "index-fork"})
    void theProofOfAFixedScenarioIsByteForByteTheGoldenOne(String scenario, @TempDir Path dir) throws Exception {
        byte[] made = make(scenario, dir);
        ProofVerifier.verify(made);
        String write = System.getProperty("vitra.writeGoldenProofs");
        if (write != null) {
            Files.createDirectories(Path.of(write));
            Files.write(Path.of(write, scenario + ".json"), made);
            return;
        }
        byte[] golden;
        try (InputStream in = GoldenProofTest.class.getResourceAsStream("/proofs/" + scenario + ".json")) {
            assertThat(in).as("golden proof %s.json", scenario).isNotNull();
            golden = in.readAllBytes();
        }
        assertThat(new String(made, StandardCharsets.UTF_8)).isEqualTo(new String(golden, StandardCharsets.UTF_8));
    }

    private static byte[] make(String scenario, Path dir) throws Exception {
        Path keys = dir.resolve("executor").resolve("keys");
        Files.createDirectories(keys);
        Files.writeString(keys.resolve("index.key"), CounterDatabase.key(700).format() + "\n");
        Files.writeString(keys.resolve("participant-1.key"), CounterDatabase.key(701).format() + "\n");
        try (AuditFixture f = AuditFixture.create(dir, ENGINE, "kv.js", 1)) {
            f.call(0, "put", "{\"path\":\"/a\",\"value\":1}");
            f.process();
            switch (scenario) {
                case "change-mismatch" -> f.fault(Fault.WRONG_CHANGES, true);
                case "processed-twice" -> f.fault(Fault.DOUBLE_PROCESS, true);
                case "window-swallows-ack" -> f.fault(Fault.WRONG_NUM_CHANGES, true);
                case "index-fork" -> {
                    assertThat(f.audit().verdict()).isEqualTo(Verdict.VERIFIED);
                    f.fault(Fault.REWRITE_ENTRY, true);
                }
                default -> throw new IllegalArgumentException(scenario);
            }
            if (!scenario.equals("index-fork")) {
                f.call(0, "put", "{\"path\":\"/b\",\"value\":{\"x\":[1,2]}}");
                f.call(0, "put", "{\"path\":\"/c\",\"value\":\"three\"}");
                f.process();
            }
            PassReport r = f.audit();
            assertThat(r.verdict()).as("%s", r).isEqualTo(Verdict.MISBEHAVIOUR);
            Rows.Finding fraud = r.newFindings().stream().filter(x -> x.kind().equals("fraud")).findFirst().orElseThrow();
            return AuditFixture.read(f.storeFile, s -> s.proof(fraud.id())).orElseThrow();
        }
    }
}
