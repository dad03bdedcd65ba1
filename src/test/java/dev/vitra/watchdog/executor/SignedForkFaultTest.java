package dev.vitra.watchdog.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vitra.watchdog.contract.ContractEngine;
import dev.vitra.watchdog.contract.ContractLimits;
import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.note.SignedCheckpoint;
import dev.vitra.watchdog.tileclient.LogReader;
import dev.vitra.watchdog.tileclient.LogVerificationException;
import dev.vitra.watchdog.tileclient.TileClient;
import dev.vitra.watchdog.tileclient.TileClientConfig;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The signed forks are real: validly signed checkpoints of the same log that no consistency proof can join. */
class SignedForkFaultTest {
    private static final ContractEngine ENGINE = ContractEngine.create(ContractLimits.defaults());

    @AfterAll
    static void closeEngine() {
        ENGINE.close();
    }

    private static Executor database(Path data, int ops) throws Exception {
        String counter;
        try (InputStream in = SignedForkFaultTest.class.getResourceAsStream("/contracts/counter.js")) {
            counter = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Executor ex = Executor.create(data, counter, 1, ENGINE, Clock.systemUTC());
        for (int i = 0; i < ops; i++) {
            ex.call(ex.participants().get(0), "increment", "{}");
        }
        ex.processPending();
        return ex;
    }

    private static LogReader reader(TileClient client, LogId log) {
        return new LogReader(client, log.origin(), List.of(log.verifierKey()));
    }

    private static byte[] checkpointOnDisk(Path data, LogId log) throws Exception {
        return Files.readAllBytes(data.resolve("logs").resolve(log.hex()).resolve("checkpoint"));
    }

    @Test
    void rewritingAPublishedIndexEntryIsAForkAndTheExecutorGoesOnFromTheForkedHistory(@TempDir Path data) throws Exception {
        Executor ex = database(data, 300);
        LogId index = ex.indexLogId();
        byte[] before = checkpointOnDisk(data, index);
        ex.setFault(Fault.REWRITE_ENTRY, true);
        ex.call(ex.participants().get(0), "increment", "{}");
        ex.processPending();
        try (var server = ExecutorServer.start(ex, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Duration.ofMillis(50));
             TileClient client = new TileClient(server.indexLogUrl(), TileClientConfig.defaults())) {
            LogReader r = reader(client, index);
            SignedCheckpoint now = r.latestCheckpoint();
            List<String> entries = new java.util.ArrayList<>();
            r.readEntries(now, 0, now.size(), (i, e) -> entries.add(new String(e, StandardCharsets.UTF_8)));
            assertThat(entries).contains("{\"type\":\"put\",\"path\":\"/rewritten\",\"value\":true}");
            assertThatThrownBy(() -> r.proveConsistency(r.open(before), now)).isInstanceOfSatisfying(LogVerificationException.class,
                    e -> assertThat(e.kind()).isEqualTo(LogVerificationException.Kind.FORK));
        }
        assertThat(ex.faults()).doesNotContain(Fault.REWRITE_ENTRY);
    }

    @Test
    void forkingAnOplogRewritesTheParticipantsHistory(@TempDir Path data) throws Exception {
        Executor ex = database(data, 20);
        LogId oplog = ex.participants().get(0);
        byte[] before = checkpointOnDisk(data, oplog);
        ex.setFault(Fault.FORK_OPLOG, true);
        try (var server = ExecutorServer.start(ex, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Duration.ofMillis(50));
             TileClient client = new TileClient(server.baseUrl() + "/logs/" + oplog.hex(), TileClientConfig.defaults())) {
            LogReader r = reader(client, oplog);
            assertThatThrownBy(() -> r.proveConsistency(r.open(before), r.latestCheckpoint()))
                    .isInstanceOfSatisfying(LogVerificationException.class,
                            e -> assertThat(e.kind()).isEqualTo(LogVerificationException.Kind.FORK));
        }
    }

    @Test
    void equivocationShowsTwoClientsTwoValidlySignedButInconsistentCheckpoints(@TempDir Path data) throws Exception {
        Executor ex = database(data, 10);
        LogId index = ex.indexLogId();
        ex.setFault(Fault.EQUIVOCATE, true);
        try (var server = ExecutorServer.start(ex, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Duration.ofMillis(50))) {
            URI url = URI.create(server.indexLogUrl() + "/checkpoint");
            byte[] first = HttpClient.newHttpClient().send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofByteArray()).body();
            byte[] second = HttpClient.newHttpClient().send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofByteArray()).body();
            try (TileClient client = new TileClient(server.indexLogUrl(), TileClientConfig.defaults())) {
                LogReader r = reader(client, index);
                SignedCheckpoint a = r.open(first);
                SignedCheckpoint b = r.open(second);
                assertThat(a.size()).isEqualTo(b.size());
                assertThat(a.checkpoint().root()).isNotEqualTo(b.checkpoint().root());
                assertThatThrownBy(() -> r.proveConsistency(a, b)).isInstanceOfSatisfying(LogVerificationException.class,
                        e -> assertThat(e.kind()).isEqualTo(LogVerificationException.Kind.FORK));
            }
        }
    }
}
