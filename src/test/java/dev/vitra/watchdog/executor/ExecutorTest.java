package dev.vitra.watchdog.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vitra.watchdog.contract.CallOutcome;
import dev.vitra.watchdog.contract.ContractEngine;
import dev.vitra.watchdog.contract.ContractLimits;
import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.note.SignedCheckpoint;
import dev.vitra.watchdog.tileclient.LogReader;
import dev.vitra.watchdog.tileclient.TileClient;
import dev.vitra.watchdog.tileclient.TileClientConfig;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecutorTest {
    private static final ContractEngine ENGINE = ContractEngine.create(ContractLimits.defaults());
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(1_700_000_000_000L), ZoneOffset.UTC);

    @AfterAll
    static void close() {
        ENGINE.close();
    }

    private static String contract(String name) throws Exception {
        try (InputStream in = ExecutorTest.class.getResourceAsStream("/contracts/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Every entry of a log, each proven against its signed checkpoint over loopback HTTP. */
    private static List<String> provenEntries(Path dataDir, LogId log) throws Exception {
        try (var server = StaticLogServer.start(dataDir, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             TileClient client = new TileClient(server.baseUrl() + "/logs/" + log.hex(), TileClientConfig.defaults())) {
            LogReader reader = new LogReader(client, log.origin(), List.of(log.verifierKey()));
            SignedCheckpoint cp = reader.latestCheckpoint();
            List<String> out = new ArrayList<>();
            reader.readEntries(cp, 0, cp.size(), (i, e) -> out.add(new String(e, StandardCharsets.UTF_8)));
            return out;
        }
    }

    @Test
    void createWritesGenesisAndKeepsKeysOwnerOnly(@TempDir Path data) throws Exception {
        Executor ex = Executor.create(data, contract("counter.js"), 2, ENGINE, CLOCK);
        List<String> index = provenEntries(data, ex.indexLogId());
        List<LogId> p = ex.participants();
        assertThat(index).containsExactly(
                "{\"type\":\"header\",\"protocol\":\"vitra/1\"}",
                "{\"type\":\"put\",\"path\":\"/.sys/contract/source\",\"value\":" + dev.vitra.watchdog.util.JsonText.quote(contract("counter.js")) + "}",
                "{\"type\":\"put\",\"path\":\"/.sys/inputs/" + p.get(0).hex() + "\",\"value\":{\"pubkey\":\"" + p.get(0).hex() + "\",\"active\":true}}",
                "{\"type\":\"put\",\"path\":\"/.sys/inputs/" + p.get(1).hex() + "\",\"value\":{\"pubkey\":\"" + p.get(1).hex() + "\",\"active\":true}}",
                "{\"type\":\"put\",\"path\":\"/.sys/acks/genesis\",\"value\":null}");
        try (var keys = Files.list(data.resolve("keys"))) {
            for (Path k : keys.toList()) {
                assertThat(Files.getPosixFilePermissions(k)).containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
            }
        }
        assertThatThrownBy(() -> Executor.create(data, contract("counter.js"), 2, ENGINE, CLOCK)).hasMessageContaining("already holds");
    }

    @Test
    void callsAppendOpsAndProcessingPublishesAcksAndChangesInOrder(@TempDir Path data) throws Exception {
        Executor ex = Executor.create(data, contract("counter.js"), 3, ENGINE, CLOCK);
        List<LogId> p = ex.participants();
        for (int i = 0; i < 30; i++) {
            Executor.CallResult r = ex.call(p.get(i % 3), "increment", "{}");
            assertThat(r.opPositions()).containsExactly((long) (i / 3));
        }
        assertThat(ex.processPending()).isEqualTo(30);
        assertThat(ex.state().get("/counter").orElseThrow().valueJson()).isEqualTo("30");
        assertThat(ex.call(p.get(0), "get", null).outcome()).isEqualTo(new CallOutcome.Returned(Optional.of("30"), List.of()));

        List<String> index = provenEntries(data, ex.indexLogId());
        assertThat(index).hasSize(5 + 1 + 60);
        String firstAck = index.get(6);
        assertThat(firstAck).isEqualTo("{\"type\":\"put\",\"path\":\"/.sys/acks/" + p.get(0).hex() + "/000000000000000\",\"value\":"
                + "{\"success\":true,\"origin\":\"" + p.get(0).hex() + "\",\"seq\":0,\"ts\":1700000000000,\"numChanges\":1}}");
        assertThat(index.get(7)).isEqualTo("{\"type\":\"put\",\"path\":\"/counter\",\"value\":1}");
        for (LogId id : p) {
            assertThat(provenEntries(data, id)).hasSize(10).allMatch(e -> e.equals("{\"op\":\"INCREMENT\"}"));
        }
    }

    @Test
    void failedOpsAreAcknowledgedWithoutChangesAndCountAsProcessed(@TempDir Path data) throws Exception {
        Executor ex = Executor.create(data, contract("kv-admin.js"), 2, ENGINE, CLOCK);
        List<LogId> p = ex.participants();
        ex.call(p.get(0), "claimAdmin", "{}");
        ex.call(p.get(1), "claimAdmin", "{}");
        assertThat(ex.processPending()).isEqualTo(2);
        List<String> index = provenEntries(data, ex.indexLogId());
        assertThat(index).anySatisfy(e -> assertThat(e).contains("\"success\":false").contains("\"numChanges\":0")
                .contains("\"error\":\"the admin is already claimed\""));
    }

    @Test
    void aRemovedParticipantsOpsWaitUntilItIsAddedAgain(@TempDir Path data) throws Exception {
        Executor ex = Executor.create(data, contract("kv-admin.js"), 2, ENGINE, CLOCK);
        LogId admin = ex.participants().get(0);
        LogId other = ex.participants().get(1);
        ex.call(admin, "claimAdmin", "{}");
        ex.processPending();
        ex.call(admin, "removeParticipant", "{\"pubkey\":\"" + other.hex() + "\"}");
        ex.processPending();
        Executor.CallResult readOnly = ex.call(other, "put", "{\"key\":\"k\",\"value\":1}");
        assertThat(readOnly.outcome()).isInstanceOf(CallOutcome.Failed.class); // no longer a writer
        assertThat(readOnly.opPositions()).isEmpty();
        ex.call(admin, "addParticipant", "{\"pubkey\":\"" + other.hex() + "\"}");
        ex.processPending();
        ex.call(other, "put", "{\"key\":\"k\",\"value\":1}");
        assertThat(ex.processPending()).isEqualTo(1);
        assertThat(ex.state().get("/values/k").orElseThrow().valueJson()).isEqualTo("1");
    }

    @Test
    void metadataThatCannotFitInTheAckIsLeftOutAndProcessingGoesOn(@TempDir Path data) throws Exception {
        String source = "export function process (op) { return op.big ? '\u20ac'.repeat(30000) : {small: true} }\n"
                + "export function send (p, emit) { emit({op: 'X', big: p.big}) }\n"
                + "export const apply = { X (tx, op, ack) { tx.put('m', ack.metadata ?? null) } }\n";
        Executor ex = Executor.create(data, source, 1, ENGINE, CLOCK);
        LogId p = ex.participants().get(0);
        ex.call(p, "send", "{\"big\":true}");
        ex.call(p, "send", "{\"big\":false}");
        assertThat(ex.processPending()).isEqualTo(2);
        List<String> index = provenEntries(data, ex.indexLogId());
        assertThat(index.get(4)).doesNotContain("metadata");
        assertThat(index.get(5)).isEqualTo("{\"type\":\"put\",\"path\":\"/m\",\"value\":null}");
        assertThat(index.get(6)).contains("\"metadata\":{\"small\":true}");
    }

    @Test
    void anOpWhoseProcessHitsALimitIsNotAcknowledgedAndWaits(@TempDir Path data) throws Exception {
        try (ContractEngine quick = ContractEngine.create(ContractLimits.defaults().withTimeBudget(java.time.Duration.ofMillis(300)))) {
            String source = "export function process (op) { if (op.spin) { while (true) {} } }\n"
                    + "export function send (p, emit) { emit({op: 'X', spin: p.spin}) }\n"
                    + "export const apply = { X (tx) { tx.put('done', true) } }\n";
            Executor ex = Executor.create(data, source, 1, quick, CLOCK);
            ex.call(ex.participants().get(0), "send", "{\"spin\":true}");
            assertThat(ex.processPending()).isZero();
            assertThat(ex.hasPending()).isTrue();
            assertThat(ex.indexSize()).isEqualTo(4);
        }
    }

    @Test
    void restartingResumesTheSameDatabaseAndItsLogsStayConsistent(@TempDir Path data) throws Exception {
        Executor first = Executor.create(data, contract("counter.js"), 2, ENGINE, CLOCK);
        LogId a = first.participants().get(0);
        for (int i = 0; i < 300; i++) {
            first.call(a, "increment", "{}");
        }
        first.processPending();
        byte[] before = Files.readAllBytes(data.resolve("logs").resolve(first.indexLogId().hex()).resolve("checkpoint"));
        first.call(a, "increment", "{}"); // appended but not processed before the "crash"

        Executor second = Executor.open(data, ENGINE, CLOCK);
        assertThat(second.indexLogId()).isEqualTo(first.indexLogId());
        assertThat(second.state().get("/counter").orElseThrow().valueJson()).isEqualTo("300");
        assertThat(second.processPending()).isEqualTo(1);
        assertThat(second.state().get("/counter").orElseThrow().valueJson()).isEqualTo("301");

        try (var server = StaticLogServer.start(data, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             TileClient client = new TileClient(server.baseUrl() + "/logs/" + second.indexLogId().hex(), TileClientConfig.defaults())) {
            LogReader reader = new LogReader(client, second.indexLogId().origin(), List.of(second.indexLogId().verifierKey()));
            reader.proveConsistency(reader.open(before), reader.latestCheckpoint());
        }
    }
}
