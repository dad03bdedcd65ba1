package dev.vitra.watchdog.tileclient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vitra.watchdog.testing.ScriptedHttpServer;
import dev.vitra.watchdog.tiles.EntryBundleId;
import dev.vitra.watchdog.tiles.HashTileId;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TileClientHostileServerTest {
    private static final byte[] OK = "ok".getBytes(StandardCharsets.UTF_8);
    private final ScriptedHttpServer server;

    TileClientHostileServerTest() throws Exception {
        server = new ScriptedHttpServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private TileClient client(int attempts) {
        TileClientConfig config = TileClientConfig.defaults()
                .withTimeouts(Duration.ofSeconds(2), Duration.ofMillis(400), Duration.ofSeconds(3))
                .withRetries(attempts, Duration.ofMillis(20), Duration.ofMillis(100), Duration.ofSeconds(5))
                .withSizeCaps(4096, 64 * 1024);
        return new TileClient(server.baseUrl() + "/log", config);
    }

    @Test
    void slowServerTimesOutAfterEveryAttempt() {
        server.on("/log/checkpoint", (ex, n) -> {
            Thread.sleep(2_000);
            ScriptedHttpServer.respond(ex, 200, OK);
        });
        try (TileClient c = client(2)) {
            assertThatThrownBy(c::fetchCheckpoint).isInstanceOfSatisfying(FetchException.class, e -> {
                assertThat(e.kind()).isEqualTo(FetchException.Kind.TIMEOUT);
                assertThat(e.attempts()).isEqualTo(2);
                assertThat(e.getMessage()).contains("/log/checkpoint").contains("timed out");
            });
        }
        assertThat(server.count("/log/checkpoint")).isEqualTo(2);
    }

    @Test
    void persistent500sFailAfterTheConfiguredAttemptsWithTheStatus() {
        server.on("/log/checkpoint", (ex, n) -> ScriptedHttpServer.respond(ex, 500, "boom".getBytes(StandardCharsets.UTF_8)));
        try (TileClient c = client(3)) {
            assertThatThrownBy(c::fetchCheckpoint).isInstanceOfSatisfying(FetchException.class, e -> {
                assertThat(e.kind()).isEqualTo(FetchException.Kind.HTTP_STATUS);
                assertThat(e.status()).isEqualTo(500);
                assertThat(e.attempts()).isEqualTo(3);
            });
        }
        assertThat(server.count("/log/checkpoint")).isEqualTo(3);
    }

    @Test
    void intermittent500sAreRetriedUntilTheyAnswer() throws Exception {
        server.on("/log/checkpoint", (ex, n) -> ScriptedHttpServer.respond(ex, n < 3 ? 503 : 200, n < 3 ? new byte[0] : OK));
        try (TileClient c = client(5)) {
            assertThat(c.fetchCheckpoint()).isEqualTo(OK);
        }
        assertThat(server.count("/log/checkpoint")).isEqualTo(3);
    }

    @Test
    void retryAfterOn429IsHonouredBeforeTheNextAttempt() throws Exception {
        server.on("/log/checkpoint", (ex, n) -> {
            if (n == 1) {
                ex.getResponseHeaders().set("Retry-After", "1");
                ScriptedHttpServer.respond(ex, 429, new byte[0]);
            } else {
                ScriptedHttpServer.respond(ex, 200, OK);
            }
        });
        try (TileClient c = client(3)) {
            assertThat(c.fetchCheckpoint()).isEqualTo(OK);
        }
        List<ScriptedHttpServer.Hit> hits = server.hits("/log/checkpoint");
        assertThat(hits).hasSize(2);
        assertThat(Duration.ofNanos(hits.get(1).nanos() - hits.get(0).nanos())).isGreaterThanOrEqualTo(Duration.ofMillis(950));
    }

    @Test
    void retryAfterLongerThanTheLimitFailsAtOnceInsteadOfHammering() {
        server.on("/log/checkpoint", (ex, n) -> {
            ex.getResponseHeaders().set("Retry-After", "3600");
            ScriptedHttpServer.respond(ex, 503, new byte[0]);
        });
        try (TileClient c = client(5)) {
            assertThatThrownBy(c::fetchCheckpoint).isInstanceOfSatisfying(FetchException.class, e -> {
                assertThat(e.kind()).isEqualTo(FetchException.Kind.RETRY_AFTER_TOO_LONG);
                assertThat(e.getMessage()).contains("3600 s");
            });
        }
        assertThat(server.count("/log/checkpoint")).isEqualTo(1);
    }

    @Test
    void endlessBodyIsCutOffAtTheSizeCap() {
        server.on("/log/tile/entries/000", (ex, n) -> {
            ex.sendResponseHeaders(200, 0);
            OutputStream os = ex.getResponseBody();
            byte[] chunk = new byte[8192];
            for (int i = 0; i < 100_000; i++) {
                os.write(chunk);
            }
        });
        try (TileClient c = client(1)) {
            assertThatThrownBy(() -> c.read(new EntryBundleId(0, 256))).isInstanceOfSatisfying(FetchException.class, e -> {
                assertThat(e.kind()).isEqualTo(FetchException.Kind.TOO_LARGE);
                assertThat(e.getMessage()).contains("limit of 65536");
            });
        }
    }

    @Test
    void hashTileLongerThanItsWidthAllowsIsRejectedByDeclaredLength() {
        server.on("/log/tile/0/000.p/2", (ex, n) -> ScriptedHttpServer.respond(ex, 200, new byte[65]));
        try (TileClient c = client(1)) {
            assertThatThrownBy(() -> c.read(new HashTileId(0, 0, 2))).isInstanceOfSatisfying(FetchException.class,
                    e -> assertThat(e.kind()).isEqualTo(FetchException.Kind.TOO_LARGE));
        }
    }

    @Test
    void gzipBombIsCutOffAfterDecompression() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(buf)) {
            z.write(new byte[10 << 20]);
        }
        byte[] bomb = buf.toByteArray();
        server.on("/log/tile/entries/000", (ex, n) -> {
            ex.getResponseHeaders().set("Content-Encoding", "gzip");
            ScriptedHttpServer.respond(ex, 200, bomb);
        });
        try (TileClient c = client(1)) {
            assertThatThrownBy(() -> c.read(new EntryBundleId(0, 256))).isInstanceOfSatisfying(FetchException.class,
                    e -> assertThat(e.kind()).isEqualTo(FetchException.Kind.TOO_LARGE));
        }
    }

    @Test
    void gzippedResponsesAreDecoded() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(buf)) {
            z.write(OK);
        }
        server.on("/log/checkpoint", (ex, n) -> {
            assertThat(ex.getRequestHeaders().getFirst("Accept-Encoding")).contains("gzip");
            ex.getResponseHeaders().set("Content-Encoding", "gzip");
            ScriptedHttpServer.respond(ex, 200, buf.toByteArray());
        });
        try (TileClient c = client(1)) {
            assertThat(c.fetchCheckpoint()).isEqualTo(OK);
        }
    }

    @Test
    void notFoundIsNotRetried() {
        try (TileClient c = client(5)) {
            assertThatThrownBy(c::fetchCheckpoint).isInstanceOfSatisfying(FetchException.class, e -> {
                assertThat(e.kind()).isEqualTo(FetchException.Kind.NOT_FOUND);
                assertThat(e.status()).isEqualTo(404);
            });
        }
        assertThat(server.count("/log/checkpoint")).isEqualTo(1);
    }

    @Test
    void redirectWithinTheSameOriginIsFollowed() throws Exception {
        server.on("/log/checkpoint", (ex, n) -> {
            ex.getResponseHeaders().set("Location", "/mirror/checkpoint");
            ScriptedHttpServer.respond(ex, 302, new byte[0]);
        });
        server.on("/mirror/checkpoint", (ex, n) -> ScriptedHttpServer.respond(ex, 200, OK));
        try (TileClient c = client(1)) {
            assertThat(c.fetchCheckpoint()).isEqualTo(OK);
        }
    }

    @Test
    void redirectToAnotherHostIsRefused() throws Exception {
        try (ScriptedHttpServer other = new ScriptedHttpServer(InetAddress.getByName("127.0.0.2"))) {
            other.on("/checkpoint", (ex, n) -> ScriptedHttpServer.respond(ex, 200, OK));
            server.on("/log/checkpoint", (ex, n) -> {
                ex.getResponseHeaders().set("Location", other.baseUrl() + "/checkpoint");
                ScriptedHttpServer.respond(ex, 301, new byte[0]);
            });
            try (TileClient c = client(3)) {
                assertThatThrownBy(c::fetchCheckpoint).isInstanceOfSatisfying(FetchException.class, e -> {
                    assertThat(e.kind()).isEqualTo(FetchException.Kind.REDIRECT_REFUSED);
                    assertThat(e.getMessage()).contains("another origin");
                });
            }
            assertThat(other.count("/checkpoint")).isZero();
        }
    }

    @Test
    void parallelFetchesNeverExceedTheConfiguredConcurrency() throws Exception {
        java.util.concurrent.atomic.AtomicInteger active = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger peak = new java.util.concurrent.atomic.AtomicInteger();
        for (int i = 0; i < 12; i++) {
            server.on("/log/tile/entries/" + String.format("%03d", i), (ex, n) -> {
                peak.accumulateAndGet(active.incrementAndGet(), Math::max);
                Thread.sleep(50);
                active.decrementAndGet();
                ScriptedHttpServer.respond(ex, 200, new byte[] {0, 0});
            });
        }
        TileClientConfig config = TileClientConfig.defaults().withParallelism(3);
        try (TileClient c = new TileClient(server.baseUrl() + "/log", config)) {
            List<java.util.concurrent.CompletableFuture<byte[]>> futures = new java.util.ArrayList<>();
            for (int i = 0; i < 12; i++) {
                futures.add(c.readAsync(new EntryBundleId(i, 256)));
            }
            futures.forEach(java.util.concurrent.CompletableFuture::join);
        }
        assertThat(peak.get()).isBetween(1, 3);
    }
}
