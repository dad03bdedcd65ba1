package dev.vitra.watchdog.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vitra.watchdog.contract.ContractEngine;
import dev.vitra.watchdog.contract.ContractLimits;
import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.note.NoteVerificationException;
import dev.vitra.watchdog.note.SignedCheckpoint;
import dev.vitra.watchdog.tileclient.FetchException;
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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each wire fault changes exactly what is served, and the log layer reports it as what it is. */
class WireFaultTest {
    private static final ContractEngine ENGINE = ContractEngine.create(ContractLimits.defaults());
    private final HttpClient http = HttpClient.newHttpClient();
    @TempDir
    Path data;
    private Executor ex;
    private ExecutorServer server;

    @AfterAll
    static void closeEngine() {
        ENGINE.close();
    }

    @BeforeEach
    void start() throws Exception {
        String counter;
        try (InputStream in = WireFaultTest.class.getResourceAsStream("/contracts/counter.js")) {
            counter = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        ex = Executor.create(data, counter, 1, ENGINE, Clock.systemUTC());
        for (int i = 0; i < 300; i++) {
            ex.call(ex.participants().get(0), "increment", "{}");
        }
        ex.processPending();
        server = ExecutorServer.start(ex, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Duration.ofMillis(50));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private LogId index() {
        return ex.indexLogId();
    }

    private String url(String rest) {
        return server.indexLogUrl() + "/" + rest;
    }

    private HttpResponse<byte[]> get(String rest) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url(rest))).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private byte[] onDisk(String rest) throws Exception {
        return Files.readAllBytes(data.resolve("logs").resolve(index().hex()).resolve(rest));
    }

    private LogReader reader(TileClient client) {
        return new LogReader(client, index().origin(), List.of(index().verifierKey()));
    }

    @Test
    void badSignatureServesAnAlteredSignatureThatFailsVerification() throws Exception {
        ex.setFault(Fault.BAD_SIGNATURE, true);
        byte[] served = get("checkpoint").body();
        assertThat(served).hasSameSizeAs(onDisk("checkpoint")).isNotEqualTo(onDisk("checkpoint"));
        try (TileClient client = new TileClient(server.indexLogUrl(), TileClientConfig.defaults())) {
            assertThatThrownBy(() -> reader(client).latestCheckpoint()).isInstanceOfSatisfying(NoteVerificationException.class,
                    e -> assertThat(e.kind()).isEqualTo(NoteVerificationException.Kind.INVALID_SIGNATURE));
        }
    }

    @Test
    void corruptBundleAndCorruptTileAreCaughtAgainstTheSignedRoot() throws Exception {
        try (TileClient client = new TileClient(server.indexLogUrl(), TileClientConfig.defaults())) {
            SignedCheckpoint cp = reader(client).latestCheckpoint();
            ex.setFault(Fault.CORRUPT_BUNDLE, true);
            assertThat(get("tile/entries/000").body()).isNotEqualTo(onDisk("tile/entries/000"));
            assertThatThrownBy(() -> reader(client).readEntries(cp, 0, cp.size(), (i, e) -> { }))
                    .isInstanceOfSatisfying(LogVerificationException.class,
                            e -> assertThat(e.kind()).isEqualTo(LogVerificationException.Kind.ENTRIES_MISMATCH));
            ex.setFault(Fault.CORRUPT_BUNDLE, false);
            ex.setFault(Fault.CORRUPT_TILE, true);
            assertThat(get("tile/0/000").body()).isNotEqualTo(onDisk("tile/0/000"));
        }
        try (TileClient fresh = new TileClient(server.indexLogUrl(), TileClientConfig.defaults())) {
            LogReader r = reader(fresh);
            SignedCheckpoint cp = r.latestCheckpoint();
            byte[] old = onDisk("checkpoint");
            ex.call(ex.participants().get(0), "increment", "{}");
            ex.processPending();
            assertThatThrownBy(() -> r.proveConsistency(r.open(old), r.latestCheckpoint()))
                    .isInstanceOf(LogVerificationException.class);
            assertThat(cp.size()).isGreaterThan(256);
        }
    }

    @Test
    void slowResponsesRunIntoTheClientsTimeouts() throws Exception {
        ex.setFault(Fault.SLOW_RESPONSES, true);
        TileClientConfig impatient = TileClientConfig.defaults()
                .withTimeouts(Duration.ofSeconds(2), Duration.ofMillis(500), Duration.ofSeconds(1))
                .withRetries(1, Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofSeconds(1));
        try (TileClient client = new TileClient(server.indexLogUrl(), impatient)) {
            assertThatThrownBy(client::fetchCheckpoint).isInstanceOfSatisfying(FetchException.class,
                    e -> assertThat(e.kind()).isEqualTo(FetchException.Kind.TIMEOUT));
        }
    }

    @Test
    void intermittent500sAnd429sAlternateAndRetriesGetThrough() throws Exception {
        ex.setFault(Fault.INTERMITTENT_500, true);
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            statuses.add(get("checkpoint").statusCode());
        }
        assertThat(statuses).containsOnly(200, 500).contains(200, 500);
        try (TileClient client = new TileClient(server.indexLogUrl(), TileClientConfig.defaults()
                .withRetries(4, Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofSeconds(2)))) {
            assertThat(reader(client).latestCheckpoint().size()).isGreaterThan(0);
        }
        ex.setFault(Fault.INTERMITTENT_500, false);
        ex.setFault(Fault.RATE_LIMIT_429, true);
        List<HttpResponse<byte[]>> answers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            answers.add(get("checkpoint"));
        }
        assertThat(answers).anySatisfy(r -> {
            assertThat(r.statusCode()).isEqualTo(429);
            assertThat(r.headers().firstValue("Retry-After")).contains("1");
        });
    }

    @Test
    void withheldTilesAre404WhileTheCheckpointIsStillServed() throws Exception {
        ex.setFault(Fault.WITHHOLD_TILES, true);
        assertThat(get("checkpoint").statusCode()).isEqualTo(200);
        assertThat(get("tile/entries/000").statusCode()).isEqualTo(404);
        assertThat(get("tile/0/000").statusCode()).isEqualTo(404);
    }
}
