package dev.vitra.watchdog.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vitra.watchdog.contract.ContractEngine;
import dev.vitra.watchdog.contract.ContractLimits;
import dev.vitra.watchdog.store.AuditStore;
import dev.vitra.watchdog.store.PostgresServer;
import dev.vitra.watchdog.store.Rows;
import dev.vitra.watchdog.store.StoreSession;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * State paths the protocol allows and a store could mangle, audited end to end against the reference executor on
 * each backend, every pass on a newly opened store (so reads come from the store, not a cache): the audit verifies,
 * and both backends end with the same state. Regressions: "/\ud800" and "/\ufffd" were one row (a charset replaced
 * the lone surrogate in the path hash), and a prefix read missed "/d/\uffff\uffff" (its range stopped at "/d/\uffff").
 */
class StoredPathsAuditTest {
    private static final ContractEngine ENGINE = ContractEngine.create(ContractLimits.defaults());

    @AfterAll
    static void close() {
        ENGINE.close();
    }

    @Test
    void awkwardPathsVerifyOnH2(@TempDir Path dir) throws Exception {
        String state = audit(dir, () -> AuditStore.openH2(dir.resolve("w.mv.db")));
        assertThat(state).contains("/seen/1");
    }

    @Test
    void awkwardPathsVerifyOnPostgresAndLeaveTheSameStateAsOnH2(@TempDir Path dir) throws Exception {
        String url = PostgresServer.newDatabase();
        String onPostgres = audit(dir.resolve("pg"), () -> AuditStore.openPostgres(url, PostgresServer.USER,
                Optional.of(PostgresServer.PASSWORD), 4));
        String onH2 = audit(dir.resolve("h2"), () -> AuditStore.openH2(dir.resolve("h2/w.mv.db")));
        assertThat(onPostgres).isEqualTo(onH2);
    }

    private static String audit(Path dir, Supplier<AuditStore> store) throws Exception {
        try (AuditFixture f = AuditFixture.create(dir, ENGINE, "paths.js", 1)) {
            f.call(0, "put", "{\"path\":\"/\\ud800\",\"value\":1}");
            f.process();
            pass(f, store);
            f.call(0, "put", "{\"path\":\"/\\ufffd\",\"value\":2}");
            f.call(0, "put", "{\"path\":\"/e/a\\u0000\",\"value\":3}");
            f.call(0, "put", "{\"path\":\"/e/\\ud83d\\ude00\",\"value\":4}");
            f.call(0, "put", "{\"path\":\"/d/\\uffff\\uffff\",\"value\":5}");
            f.call(0, "put", "{\"path\":\"/d/a\",\"value\":6}");
            f.process();
            pass(f, store);
            // Read from the store, not from this pass's memory: before the fix, the first was a false fraud claim
            // (ChangeMismatchError), the third an EngineDependentResult (U+FFFF is unassigned, so it was excused).
            f.call(0, "read", "{\"n\":1,\"path\":\"/\\ud800\",\"prefix\":\"/e\"}");
            f.call(0, "read", "{\"n\":2,\"path\":\"/\\ufffd\",\"prefix\":\"/\"}");
            f.call(0, "read", "{\"n\":3,\"path\":\"/e/a\\u0000\",\"prefix\":\"/d\"}");
            f.process();
            pass(f, store);
            try (AuditStore s = store.get(); StoreSession session = s.session()) {
                long dbId = session.database(f.index()).orElseThrow().id();
                StringBuilder out = new StringBuilder();
                for (Rows.StateEntry e : session.stateAll(dbId)) {
                    if (!e.path().startsWith("/.sys/")) {
                        out.append(dev.vitra.watchdog.util.JsonText.quote(e.path())).append(" = ").append(e.valueJson()).append('\n');
                    }
                }
                return out.toString();
            }
        }
    }

    private static void pass(AuditFixture f, Supplier<AuditStore> store) throws Exception {
        try (AuditStore s = store.get()) {
            PassReport r = new Auditor(s, ENGINE, AuditFixture.fastSettings(), f.clock).pass(f.target(), line -> { });
            assertThat(r.newFindings()).as("%s", r).isEmpty();
            assertThat(r.verdict()).as("%s", r).isEqualTo(Verdict.VERIFIED);
        }
    }
}
