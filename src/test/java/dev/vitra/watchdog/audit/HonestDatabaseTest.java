package dev.vitra.watchdog.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vitra.watchdog.contract.ContractEngine;
import dev.vitra.watchdog.contract.ContractLimits;
import dev.vitra.watchdog.contract.IndexView;
import dev.vitra.watchdog.executor.Executor;
import dev.vitra.watchdog.executor.ExecutorServer;
import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.protocol.Json;
import dev.vitra.watchdog.store.AuditStore;
import dev.vitra.watchdog.store.Rows;
import dev.vitra.watchdog.store.StoreSession;
import dev.vitra.watchdog.util.JsonText;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An honest executor never draws a finding but notices: thousands of ops from several participants, contract
 * upgrades, participants removed and added back, many passes, the watchdog (a new store handle and auditor
 * each pass) and the executor restarted between them. At the end the audited state is the executor's own, entry
 * for entry.
 */
class HonestDatabaseTest {
    private static final ContractEngine ENGINE = ContractEngine.create(ContractLimits.defaults());

    @AfterAll
    static void close() {
        ENGINE.close();
    }

    @Test
    void thousandsOfOpsUpgradesAndMembershipChangesAcrossRestartsRaiseOnlyNotices(@TempDir Path dir) throws Exception {
        String source = AuditFixture.contractSource("governed.js");
        Path data = dir.resolve("executor");
        Clock executorClock = Clock.fixed(Instant.ofEpochMilli(1_700_000_000_000L), ZoneOffset.UTC);
        Executor executor = Executor.create(data, source, 3, ENGINE, executorClock);
        List<LogId> p = executor.participants();
        LogId index = executor.indexLogId();
        dev.vitra.watchdog.testing.MutableClock clock = new dev.vitra.watchdog.testing.MutableClock(Instant.parse("2026-12-01T00:00:00Z"));
        Path store = dir.resolve("watchdog.mv.db");
        Random random = new Random(7);
        int version = 1;
        boolean thirdActive = true;
        int notices = 0;
        int ops = 0;
        executor.call(p.get(0), "claimAdmin", "{}");
        for (int round = 0; round < 12; round++) {
            if (round % 4 == 3) {
                // The executor restarts: it rebuilds its state from its own logs.
                executor = Executor.open(data, ENGINE, executorClock);
            }
            for (int i = 0; i < 170; i++) {
                int who = random.nextInt(thirdActive ? 3 : 2);
                String path = "/k/" + random.nextInt(40) + (random.nextInt(4) == 0 ? "/sub/" + random.nextInt(5) : "");
                switch (random.nextInt(10)) {
                    case 0 -> executor.call(p.get(who), "fail", "{}");
                    case 1 -> executor.call(p.get(who), "del", "{\"path\":" + JsonText.quote(path) + "}");
                    case 2 -> executor.call(p.get(who), "multi", "{\"paths\":[\"/m/" + i + "\",\"/m/" + (i + 1) + "\"]}");
                    case 3 -> executor.call(p.get(who), "list", "{\"prefix\":\"" + (random.nextBoolean() ? "/k" : "/k/1") + "\"}");
                    default -> executor.call(p.get(who), "put", "{\"path\":" + JsonText.quote(path) + ",\"value\":{\"n\":"
                            + random.nextInt(1000) + ",\"round\":" + round + ",\"f\":" + random.nextInt(100) / 10.0 + "}}");
                }
                ops++;
            }
            if (round % 3 == 1) {
                executor.call(p.get(0), thirdActive ? "removeParticipant" : "addParticipant",
                        "{\"pubkey\":\"" + p.get(2).hex() + "\"}");
                thirdActive = !thirdActive;
                notices++;
                ops++;
            }
            if (round % 5 == 2) {
                String next = source.replace("export const version = 1", "export const version = " + (++version));
                executor.call(p.get(0), "upgrade", "{\"code\":" + JsonText.quote(next) + "}");
                notices++;
                ops++;
            }
            executor.processPending();
            try (ExecutorServer server = ExecutorServer.start(executor, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    Duration.ofHours(1))) {
                // Sometimes audit twice in a row; the second pass has nothing new.
                for (int pass = 0; pass < (round % 2 == 0 ? 2 : 1); pass++) {
                    PassReport report = AuditFixture.pass(store, ENGINE,
                            AuditFixture.fastSettings().withChunks(97, Duration.ofSeconds(2)), clock,
                            new AuditTarget(index, server.baseUrl()));
                    assertThat(report.verdict()).as("round %d pass %d: %s", round, pass, report).isEqualTo(Verdict.VERIFIED);
                    assertThat(report.newFindings()).allMatch(f -> f.kind().equals("notice"), "only notices");
                    assertThat(report.verifiedPosition()).isEqualTo(executor.indexSize());
                }
            }
            clock.advance(Duration.ofMinutes(10));
        }
        assertThat(ops).isGreaterThan(2000);
        try (AuditStore opened = AuditStore.openH2(store); StoreSession s = opened.session()) {
            Rows.Database db = s.database(index).orElseThrow();
            List<Rows.Finding> findings = s.findings(db.id());
            assertThat(findings).allMatch(f -> f.kind().equals("notice"));
            assertThat(findings).hasSize(notices);
            assertThat(findings).extracting(Rows.Finding::code).contains("ContractSourceChanged", "ParticipantRemoved",
                    "ParticipantAdded");
            // The audited state is the executor's, entry for entry: same paths, equal values, same positions.
            Map<String, Rows.StateEntry> audited = new TreeMap<>();
            s.stateAll(db.id()).forEach(e -> audited.put(e.path(), e));
            Map<String, IndexView.IndexEntry> executed = new TreeMap<>();
            collect(executor.state(), "", executed);
            assertThat(audited.keySet()).containsExactlyElementsOf(executed.keySet());
            for (var e : executed.entrySet()) {
                Rows.StateEntry a = audited.get(e.getKey());
                assertThat(Json.parse(a.valueJson())).as(e.getKey()).isEqualTo(Json.parse(e.getValue().valueJson()));
                assertThat(a.writtenAt()).as(e.getKey()).isEqualTo(e.getValue().seq());
            }
        }
    }

    /** Every value under {@code prefix}, walking the index through its own list(). */
    private static void collect(IndexView view, String prefix, Map<String, IndexView.IndexEntry> out) {
        List<IndexView.IndexChild> children = new ArrayList<>(view.list(prefix));
        for (IndexView.IndexChild c : children) {
            c.value().ifPresent(v -> out.put(v.path(), v));
            if (c.container()) {
                collect(view, c.path(), out);
            }
        }
    }
}
