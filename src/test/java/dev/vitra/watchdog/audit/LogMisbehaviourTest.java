package dev.vitra.watchdog.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vitra.watchdog.contract.ContractEngine;
import dev.vitra.watchdog.contract.ContractLimits;
import dev.vitra.watchdog.executor.Fault;
import dev.vitra.watchdog.note.SignerKey;
import dev.vitra.watchdog.store.Rows;
import dev.vitra.watchdog.tilewriter.LogDirectory;
import dev.vitra.watchdog.tilewriter.LogForks;
import dev.vitra.watchdog.util.KeyFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The executor's signed forks, rollbacks and wire faults through whole passes: forks of the index breach the
 * database, a forked oplog is the participant's fraud and blocks only what it must until an operator resolves it,
 * and everything unsigned is availability (exit 3), never fraud.
 */
class LogMisbehaviourTest {
    private static final ContractEngine ENGINE = ContractEngine.create(ContractLimits.defaults());

    @AfterAll
    static void close() {
        ENGINE.close();
    }

    private static AuditFixture kvWithOps(Path dir, int ops) throws Exception {
        AuditFixture f = AuditFixture.create(dir, ENGINE, "kv.js", 1);
        for (int i = 0; i < ops; i++) {
            f.call(0, "put", "{\"path\":\"/k" + i + "\",\"value\":" + i + "}");
        }
        f.process();
        PassReport first = f.audit();
        assertThat(first.verdict()).as("%s", first).isEqualTo(Verdict.VERIFIED);
        return f;
    }

    @Test
    void aRewrittenIndexEntryIsAForkOfTheIndexAndBreachesTheDatabaseOnce(@TempDir Path dir) throws Exception {
        try (AuditFixture f = kvWithOps(dir, 5)) {
            f.fault(Fault.REWRITE_ENTRY, true);
            PassReport r = f.audit();
            assertThat(r.verdict()).isEqualTo(Verdict.MISBEHAVIOUR);
            assertThat(r.status()).isEqualTo(Rows.DatabaseStatus.BREACHED);
            assertThat(r.newFindings()).singleElement().satisfies(x -> {
                assertThat(x.code()).isEqualTo("LogFork");
                assertThat(x.kind()).isEqualTo("fraud");
                assertThat(x.log()).hasValue(f.index());
                assertThat(x.factsJson()).contains("\"smaller\"").contains("\"larger\"");
            });
            ContractBreachTest.checkProof(f, r.newFindings().get(0), "LogFork", -1);
            // The executor goes on from its forked history: the same fork, not a new finding.
            f.call(0, "put", "{\"path\":\"/more\",\"value\":1}");
            f.process();
            PassReport later = f.audit();
            assertThat(later.verdict()).isEqualTo(Verdict.MISBEHAVIOUR);
            assertThat(later.newFindings()).isEmpty();
        }
    }

    @Test
    void aForkedOplogIsTheParticipantsFraudBlockingOnlyOpsBeyondTheSharedPrefixUntilResolved(@TempDir Path dir)
            throws Exception {
        try (AuditFixture f = kvWithOps(dir, 3)) {
            f.fault(Fault.FORK_OPLOG, true); // op 2 becomes {"op":"FORKED"}, re-signed at size 3
            PassReport forked = f.audit();
            assertThat(forked.verdict()).isEqualTo(Verdict.MISBEHAVIOUR);
            assertThat(forked.status()).isEqualTo(Rows.DatabaseStatus.AUDITING); // not the executor's doing
            assertThat(forked.newFindings()).singleElement().satisfies(x -> {
                assertThat(x.code()).isEqualTo("LogFork");
                assertThat(x.log()).hasValue(f.participant(0));
                assertThat(x.factsJson()).contains("\"sharedPrefix\":2").contains("\"role\":\"oplog\"");
            });
            ContractBreachTest.checkProof(f, forked.newFindings().get(0), "LogFork", -1);
            f.call(0, "put", "{\"path\":\"/after\",\"value\":1}");
            f.process();
            PassReport blocked = f.audit();
            assertThat(blocked.newFindings()).extracting(Rows.Finding::code).containsExactly("BlockedByOplogFork");
            assertThat(blocked.verdict()).isEqualTo(Verdict.MISBEHAVIOUR);
            long stoppedAt = blocked.verifiedPosition();
            // The operator looks at it and follows the version served now.
            PassReport resolved = f.audit(AuditFixture.fastSettings(), new AuditTarget(f.index(), f.url(), java.util.Map.of(),
                    Set.of(f.participant(0))));
            assertThat(resolved.verdict()).as("%s", resolved).isEqualTo(Verdict.VERIFIED);
            assertThat(resolved.verifiedPosition()).isGreaterThan(stoppedAt).isEqualTo(f.executor.indexSize());
            assertThat(resolved.openFindings()).isEmpty();
        }
    }

    @Test
    void anEquivocatingIndexIsCaughtAsAForkWhenTwoPassesSeeTheTwoViews(@TempDir Path dir) throws Exception {
        try (AuditFixture f = kvWithOps(dir, 4)) {
            f.fault(Fault.EQUIVOCATE, true);
            boolean caught = false;
            for (int pass = 0; pass < 8 && !caught; pass++) {
                PassReport r = f.audit();
                assertThat(r.newFindings()).allMatch(x -> x.code().equals("LogFork") || x.kind().equals("availability"));
                caught = r.newFindings().stream().anyMatch(x -> x.code().equals("LogFork"));
                if (caught) {
                    ContractBreachTest.checkProof(f, r.newFindings().stream().filter(x -> x.code().equals("LogFork"))
                            .findFirst().orElseThrow(), "LogFork", -1);
                }
            }
            assertThat(caught).as("two views seen within 8 passes").isTrue();
        }
    }

    @Test
    void anIndexServedBackAtAnOlderConsistentCheckpointIsStaleNotFraud(@TempDir Path dir) throws Exception {
        try (AuditFixture f = kvWithOps(dir, 3)) {
            Path checkpoint = indexDir(f).resolve("checkpoint");
            byte[] older = Files.readAllBytes(checkpoint);
            for (int i = 0; i < 300; i++) {
                f.call(0, "put", "{\"path\":\"/m" + i + "\",\"value\":" + i + "}");
            }
            f.process();
            assertThat(f.audit().verdict()).isEqualTo(Verdict.VERIFIED);
            byte[] current = Files.readAllBytes(checkpoint);
            Files.write(checkpoint, older);
            PassReport stale = f.audit();
            assertThat(stale.verdict()).isEqualTo(Verdict.COULD_NOT_VERIFY);
            assertThat(stale.newFindings()).extracting(Rows.Finding::code).containsExactly("StaleCheckpoint");
            Files.write(checkpoint, current);
            PassReport back = f.audit();
            assertThat(back.verdict()).isEqualTo(Verdict.VERIFIED);
            assertThat(back.openFindings()).isEmpty();
        }
    }

    @Test
    void anIndexServedBackAtAnOlderSizeWithAnotherHistoryIsAFork(@TempDir Path dir) throws Exception {
        try (AuditFixture f = kvWithOps(dir, 300)) {
            Path live = indexDir(f);
            SignerKey key = KeyFiles.loadOrCreateLogKey(f.dir.resolve("executor/keys/index.key"));
            Path forked = dir.resolve("forked");
            LogForks.rewrite(new LogDirectory(live), 256, 100, "{\"type\":\"put\",\"path\":\"/x\",\"value\":1}"
                    .getBytes(StandardCharsets.UTF_8), new LogDirectory(forked), key, f.index().origin());
            replace(live, forked);
            PassReport r = f.audit();
            assertThat(r.verdict()).isEqualTo(Verdict.MISBEHAVIOUR);
            assertThat(r.newFindings()).singleElement().satisfies(x -> assertThat(x.code()).isEqualTo("LogFork"));
        }
    }

    @Test
    void unsignedGarbageOnTheWireIsAvailabilityNeverFraud(@TempDir Path dir) throws Exception {
        try (AuditFixture f = kvWithOps(dir, 2)) {
            for (Fault fault : new Fault[] {Fault.BAD_SIGNATURE, Fault.CORRUPT_TILE, Fault.CORRUPT_BUNDLE, Fault.WITHHOLD_TILES}) {
                // New entries, so tiles and bundles have to be fetched.
                for (int i = 0; i < 3; i++) {
                    f.call(0, "put", "{\"path\":\"/" + fault + i + "\",\"value\":" + i + "}");
                }
                f.process();
                f.fault(fault, true);
                PassReport r = f.audit();
                f.fault(fault, false);
                assertThat(r.verdict()).as("%s: %s", fault, r).isEqualTo(Verdict.COULD_NOT_VERIFY);
                assertThat(r.newFindings()).as("%s", fault).isNotEmpty().allMatch(x -> x.kind().equals("availability"));
                PassReport after = f.audit();
                assertThat(after.verdict()).as("%s cleared: %s", fault, after).isEqualTo(Verdict.VERIFIED);
                assertThat(after.openFindings()).as("%s cleared", fault).isEmpty();
            }
        }
    }

    @Test
    void retriedServerErrorsAndRateLimitsStillVerify(@TempDir Path dir) throws Exception {
        try (AuditFixture f = kvWithOps(dir, 2)) {
            for (Fault fault : new Fault[] {Fault.INTERMITTENT_500, Fault.RATE_LIMIT_429}) {
                f.call(0, "put", "{\"path\":\"/" + fault + "\",\"value\":1}");
                f.process();
                f.fault(fault, true);
                PassReport r = f.audit();
                f.fault(fault, false);
                assertThat(r.verdict()).as("%s: %s", fault, r).isEqualTo(Verdict.VERIFIED);
            }
        }
    }

    private static Path indexDir(AuditFixture f) {
        return f.dir.resolve("executor/logs").resolve(f.index().hex());
    }

    private static void replace(Path live, Path with) throws Exception {
        try (var files = Files.walk(live)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        Files.move(with, live);
    }
}
