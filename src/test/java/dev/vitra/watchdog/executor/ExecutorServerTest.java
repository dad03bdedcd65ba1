package dev.vitra.watchdog.executor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vitra.watchdog.contract.ContractEngine;
import dev.vitra.watchdog.contract.ContractLimits;
import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.note.SignedCheckpoint;
import dev.vitra.watchdog.tileclient.LogReader;
import dev.vitra.watchdog.tileclient.LogVerification;
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
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecutorServerTest {
    private static final ContractEngine ENGINE = ContractEngine.create(ContractLimits.defaults());
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterAll
    static void close() {
        ENGINE.close();
    }

    private static String counter() throws Exception {
        try (InputStream in = ExecutorServerTest.class.getResourceAsStream("/contracts/counter.js")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private HttpResponse<String> post(String url, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void participantsCallOverHttpAndTheLogsVerifyAfterThousandsOfOpsAndARestart(@TempDir Path data) throws Exception {
        Executor ex = Executor.create(data, counter(), 3, ENGINE, Clock.systemUTC());
        List<LogId> p = ex.participants();
        String callUrl;
        try (ExecutorServer server = ExecutorServer.start(ex, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Duration.ofMillis(50))) {
            callUrl = server.baseUrl() + "/databases/" + ex.indexLogId().hex() + "/call/";
            for (int i = 0; i < 1500; i++) {
                HttpResponse<String> r = post(callUrl + "increment", "{\"participant\":\"" + p.get(i % 3).hex() + "\",\"params\":{}}");
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                JsonNode body = JSON.readTree(r.body());
                assertThat(body.path("ops").get(0).path("seq").asLong()).isEqualTo(i / 3);
            }
        }
        ex.processPending();
        Executor resumed = Executor.open(data, ENGINE, Clock.systemUTC());
        try (ExecutorServer server = ExecutorServer.start(resumed, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Duration.ofMillis(50))) {
            callUrl = server.baseUrl() + "/databases/" + ex.indexLogId().hex() + "/call/";
            for (int i = 0; i < 600; i++) {
                assertThat(post(callUrl + "increment", "{\"participant\":\"" + p.get(i % 3).hex() + "\"}").statusCode()).isEqualTo(200);
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!resumed.state().get("/counter").map(e -> e.valueJson().equals("2100")).orElse(false) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            HttpResponse<String> read = post(callUrl + "get", "{\"participant\":\"" + p.get(0).hex() + "\"}");
            assertThat(JSON.readTree(read.body()).path("result").asLong()).isEqualTo(2100);
            for (LogId log : List.of(ex.indexLogId(), p.get(0), p.get(1), p.get(2))) {
                try (TileClient client = new TileClient(server.baseUrl() + "/logs/" + log.hex(), TileClientConfig.defaults())) {
                    LogReader reader = new LogReader(client, log.origin(), List.of(log.verifierKey()));
                    LogVerification.Result r = LogVerification.run(reader, Optional.empty(), (d, t) -> { });
                    assertThat(r.entriesVerified()).isEqualTo(log.equals(ex.indexLogId()) ? 6 + 2 * 2100 : 700);
                }
            }
        }
    }

    @Test
    void aStatefulContractCalledOverHttpIsPublishedWithTheFreshInstanceOutcomeEveryTime(@TempDir Path data) throws Exception {
        // It counts where a reused context once kept state (an iterator prototype, RegExp statics, a property of a
        // built-in function) and reads the clock in call() and process(): the published values must be the fresh ones.
        String contract = "export function bump (p, emit) { try { globalThis.seen = Date.now() } catch (e) {} emit({op: 'BUMP'}) }\n"
                + "export function process () { try { JSON.parse.t = Date.now() } catch (e) {} }\n"
                + "export const apply = { BUMP (tx) { const p = Object.getPrototypeOf(new Map().entries());"
                + " let n; try { p.n = (p.n || 0) + 1; n = p.n } catch (e) { n = 'fresh' }"
                + " /(x)/.exec('x'); tx.put('/n', [n, typeof RegExp.$1, typeof globalThis.seen, typeof JSON.parse.t]) } }\n";
        Executor ex = Executor.create(data, contract, 1, ENGINE, Clock.systemUTC());
        String p = ex.participants().get(0).hex();
        try (ExecutorServer server = ExecutorServer.start(ex, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Duration.ofHours(1))) {
            String base = server.baseUrl() + "/databases/" + ex.indexLogId().hex() + "/call/";
            for (int i = 0; i < 5; i++) {
                assertThat(post(base + "bump", "{\"participant\":\"" + p + "\"}").statusCode()).isEqualTo(200);
                ex.processPending();
                assertThat(ex.state().get("/n").orElseThrow().valueJson())
                        .isEqualTo("[\"fresh\",\"undefined\",\"undefined\",\"undefined\"]");
            }
        }
    }

    @Test
    void badRequestsGetJsonErrorsAndNothingIsWritten(@TempDir Path data) throws Exception {
        Executor ex = Executor.create(data, counter(), 1, ENGINE, Clock.systemUTC());
        String p = ex.participants().get(0).hex();
        try (ExecutorServer server = ExecutorServer.start(ex, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Duration.ofMillis(50))) {
            String base = server.baseUrl() + "/databases/" + ex.indexLogId().hex() + "/call/";
            assertError(post(base + "increment", "not json"), 400, "not JSON");
            assertError(post(base + "increment", "[]"), 400, "\"participant\"");
            assertError(post(base + "increment", "{\"participant\":\"xyz\"}"), 400, "64 lowercase hex");
            assertError(post(base + "increment", "{\"participant\":\"" + "e".repeat(64) + "\"}"), 403, "has no oplog");
            assertError(post(base + "nope", "{\"participant\":\"" + p + "\"}"), 422, "no method \"nope\"");
            assertError(post(server.baseUrl() + "/databases/" + "0".repeat(64) + "/call/increment", "{}"), 404, "no database");
            assertError(post(base + "increment", "{\"participant\":\"" + p + "\",\"pad\":\"" + "x".repeat(70_000) + "\"}"), 413, "larger than");
            HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create(base + "increment")).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertError(get, 405, "POST");
        }
        assertThat(ex.processPending()).isZero();
        assertThat(ex.indexSize()).isEqualTo(4);
    }

    @Test
    void faultsAreSwitchedAtRunTimeThroughTheAdminEndpoint(@TempDir Path data) throws Exception {
        Executor ex = Executor.create(data, counter(), 1, ENGINE, Clock.systemUTC());
        try (ExecutorServer server = ExecutorServer.start(ex, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Duration.ofMillis(50))) {
            HttpResponse<String> list = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/admin/faults")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(JSON.readTree(list.body()).path("WRONG_CHANGES").path("enabled").asBoolean()).isFalse();
            assertThat(post(server.baseUrl() + "/admin/faults/WRONG_CHANGES", "{\"enabled\":true}").statusCode()).isEqualTo(200);
            assertThat(ex.faults()).containsExactly(Fault.WRONG_CHANGES);
            assertError(post(server.baseUrl() + "/admin/faults/NOPE", "{\"enabled\":true}"), 404, "no fault mode");
            assertError(post(server.baseUrl() + "/admin/faults/SKIP_OP", "{}"), 400, "enabled");
            assertThat(post(server.baseUrl() + "/admin/faults/WRONG_CHANGES", "{\"enabled\":false}").statusCode()).isEqualTo(200);
            assertThat(ex.faults()).isEmpty();
        }
    }

    private static void assertError(HttpResponse<String> r, int status, String fragment) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(JSON.readTree(r.body()).path("error").asText()).contains(fragment);
    }
}
