package dev.vitra.watchdog.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vitra.watchdog.contract.ContractEngine;
import dev.vitra.watchdog.contract.ContractLimits;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditSmokeTest {
    private static final ContractEngine ENGINE = ContractEngine.create(ContractLimits.defaults());

    @AfterAll
    static void close() {
        ENGINE.close();
    }

    @Test
    void anHonestCounterIsVerifiedAndTheNextPassResumes(@TempDir Path dir) throws Exception {
        try (AuditFixture f = AuditFixture.create(dir, ENGINE, "counter.js", 2)) {
            for (int i = 0; i < 300; i++) {
                f.call(i % 2, "increment", "{}");
            }
            f.process();
            PassReport first = f.audit();
            assertThat(first.openFindings()).isEmpty();
            assertThat(first.verdict()).as(first.toString()).isEqualTo(Verdict.VERIFIED);
            assertThat(first.verifiedPosition()).isEqualTo(f.executor.indexSize());
            for (int i = 0; i < 50; i++) {
                f.call(0, "increment", "{}");
            }
            f.process();
            PassReport second = f.audit();
            assertThat(second.verdict()).as(second.toString()).isEqualTo(Verdict.VERIFIED);
            assertThat(second.transactions()).isEqualTo(50);
            assertThat(second.verifiedPosition()).isEqualTo(f.executor.indexSize());
        }
    }
}
