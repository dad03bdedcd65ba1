package dev.vitra.watchdog.executor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vitra.watchdog.contract.ContractEngine;
import dev.vitra.watchdog.contract.ContractLimits;
import dev.vitra.watchdog.testing.Mutator;
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
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The participant API answers every body with a JSON error or a result, never a dropped connection or a 500:
 * a fuzzing run once made Jackson's CharConversionException (an IOException) escape the handler.
 */
class ParticipantApiFuzzProperties {
    private static ContractEngine engine;
    private static Path data;
    private static ExecutorServer server;
    private static String callUrl;
    private static String participant;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeContainer
    static void start() throws Exception {
        engine = ContractEngine.create(ContractLimits.defaults());
        data = Files.createTempDirectory("participant-api-fuzz");
        String source;
        try (InputStream in = ParticipantApiFuzzProperties.class.getResourceAsStream("/contracts/kv-admin.js")) {
            source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Executor ex = Executor.create(data, source, 1, engine, Clock.systemUTC());
        participant = ex.participants().get(0).hex();
        server = ExecutorServer.start(ex, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Duration.ofMillis(20));
        callUrl = server.baseUrl() + "/databases/" + ex.indexLogId().hex() + "/call/";
    }

    @AfterContainer
    static void stop() throws Exception {
        server.close();
        engine.close();
        try (var files = Files.walk(data)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static HttpResponse<String> post(String method, byte[] body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(callUrl + method)).timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Property(tries = 400)
    void everyBodyGetsAJsonAnswerAndNoServerError(@ForAll long seed, @ForAll @IntRange(min = 1, max = 6) int edits)
            throws Exception {
        String valid = "{\"participant\":\"" + participant + "\",\"params\":{\"key\":\"k\"}}";
        HttpResponse<String> response = post("get", Mutator.mutate(valid.getBytes(StandardCharsets.UTF_8), seed, edits));
        assertThat(response.statusCode()).as(response.body()).isIn(200, 400, 403, 413, 422);
        assertThat(response.body()).startsWith("{");
    }

    @Example
    void bytesJacksonCannotDecodeAreABadRequest() throws Exception {
        HttpResponse<String> response = post("get", new byte[] {0, 0, 0, 0x69, 0x70, 0x61, 0x6e, 0x35});
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("error");
    }
}
