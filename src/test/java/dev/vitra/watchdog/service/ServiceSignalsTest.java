package dev.vitra.watchdog.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vitra.watchdog.cli.Main;
import dev.vitra.watchdog.contract.ContractEngine;
import dev.vitra.watchdog.contract.ContractLimits;
import dev.vitra.watchdog.executor.Executor;
import dev.vitra.watchdog.executor.ExecutorServer;
import dev.vitra.watchdog.protocol.Json;
import dev.vitra.watchdog.protocol.JsonValue;
import dev.vitra.watchdog.util.ChildJvm;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `run` as an operator runs it, in a process of its own: SIGTERM in the middle of a pass commits at a chunk boundary
 * and exits 0, the next start resumes from there, and SIGHUP reloads an edited config even when its file time is
 * unchanged.
 */
class ServiceSignalsTest {
    private final HttpClient http = HttpClient.newHttpClient();

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private Process run(Path config, Path log, String... jvmOptions) throws Exception {
        List<String> cmd = new ArrayList<>(ChildJvm.command(true));
        cmd.addAll(List.of(jvmOptions));
        cmd.addAll(List.of(Main.class.getName(), "run", "--config", config.toString()));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /**
     * A logback configuration like the product's that also logs the scheduler's pass progress (DEBUG), so the test can
     * see when a pass has begun replaying the index: a SIGTERM before that stops the pass before any transaction.
     */
    private static Path progressLogging(Path dir) throws Exception {
        Path file = dir.resolve("logback-progress.xml");
        Files.writeString(file, """
                <configuration>
                  <appender name="STDERR" class="ch.qos.logback.core.ConsoleAppender">
                    <target>System.err</target>
                    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{0}: %msg%n</pattern></encoder>
                  </appender>
                  <logger name="dev.vitra" level="INFO"/>
                  <logger name="dev.vitra.watchdog.schedule.MonitorScheduler" level="DEBUG"/>
                  <root level="WARN"><appender-ref ref="STDERR"/></root>
                </configuration>
                """);
        return file;
    }

    private JsonValue.Obj status(int port) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/monitors/big"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? (JsonValue.Obj) Json.parse(r.body()) : null;
        } catch (Exception e) {
            return null; // not listening yet
        }
    }

    private static String field(JsonValue.Obj o, String key) {
        JsonValue v = o.members().get(key);
        return v instanceof JsonValue.Str s ? s.value() : v == null ? "" : Json.write(v);
    }

    private JsonValue.Obj await(int port, Predicate<JsonValue.Obj> done, Process p, Path log) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < end) {
            JsonValue.Obj o = status(port);
            if (o != null && done.test(o)) {
                return o;
            }
            if (!p.isAlive()) {
                throw new AssertionError("the service exited " + p.exitValue() + ":\n" + Files.readString(log));
            }
            Thread.sleep(50);
        }
        throw new AssertionError("timed out; log:\n" + Files.readString(log));
    }

    @Test
    void sigtermCommitsTheRunningPassAndExitsZeroAndSighupReloads(@TempDir Path dir) throws Exception {
        String counter;
        try (InputStream in = getClass().getResourceAsStream("/contracts/counter.js")) {
            counter = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        int ops = 3000;
        try (ContractEngine engine = ContractEngine.create(ContractLimits.defaults())) {
            Executor ex = Executor.create(dir.resolve("db"), counter, 1, engine, Clock.fixed(Instant.ofEpochMilli(1_700_000_000_000L),
                    ZoneOffset.UTC));
            for (int i = 0; i < ops; i++) {
                ex.call(ex.participants().get(0), "increment", "{}", false);
            }
            ex.processPending();
            try (ExecutorServer server = ExecutorServer.start(ex, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    Duration.ofHours(1))) {
                int port = freePort();
                Path config = dir.resolve("monitors.yaml");
                String yaml = "store:\n  h2-file: " + dir.resolve("w.mv.db") + "\nhttp:\n  listen: 127.0.0.1:" + port + "\nworkers: 1\n"
                        + "monitors:\n  - name: big\n    executor: '" + server.baseUrl() + "'\n    index-log: " + ex.indexLogId().hex()
                        + "\n    schedule: {every: 1s}\n    freshness-deadline: 10m\n";
                Files.writeString(config, yaml);

                // SIGTERM while the first pass runs: it commits at a chunk boundary, the process exits 0.
                Path log1 = dir.resolve("run1.log");
                Process first = run(config, log1, "-Dlogback.configurationFile=" + progressLogging(dir));
                // Once the pass replays the index (a fixed delay was too short on a slow machine: the pass was still
                // verifying the logs' tiles and stopped before its first transaction).
                long replaying = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                while (!Files.readString(log1).contains("monitor big: index: verifying entries") && System.nanoTime() < replaying) {
                    assertThat(first.isAlive()).as(Files.readString(log1)).isTrue();
                    Thread.sleep(20);
                }
                first.destroy(); // SIGTERM
                assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
                String out1 = Files.readString(log1);
                assertThat(first.exitValue()).as(out1).isZero();
                assertThat(out1).contains("stopped early at a chunk boundary").doesNotContain("Exception").contains("stopped");

                // The next start resumes: its first pass verifies only what the first did not commit.
                Path log2 = dir.resolve("run2.log");
                Process second = run(config, log2);
                // Review round 3: a SIGHUP while the service starts used to end the JVM (exit 129); now it is ignored.
                long started = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (!Files.readString(log2).contains("starting: SIGHUP reloads") && System.nanoTime() < started) {
                    Thread.sleep(20);
                }
                new ProcessBuilder("kill", "-HUP", Long.toString(second.pid())).start().waitFor();
                JsonValue.Obj resumed = await(port, o -> !field(o, "passes").equals("0") && !field(o, "passes").isEmpty(), second, log2);
                long firstPass = Long.parseLong(field(resumed, "lastPassTransactions"));
                assertThat(firstPass).isPositive().isLessThan(ops);
                assertThat(field(resumed, "state")).isEqualTo("verified");

                // SIGHUP reloads a changed config even when its modification time was kept (cp -p, rsync -t).
                FileTime kept = Files.getLastModifiedTime(config);
                Files.writeString(config, yaml.replace("every: 1s", "every: 2s"));
                Files.setLastModifiedTime(config, kept);
                new ProcessBuilder("kill", "-HUP", Long.toString(second.pid())).start().waitFor();
                long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!Files.readString(log2).contains("monitor big: reconfigured and rescheduled") && System.nanoTime() < end) {
                    Thread.sleep(100);
                }
                assertThat(Files.readString(log2)).contains("monitor big: reconfigured and rescheduled");
                second.destroy();
                assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(second.exitValue()).as(Files.readString(log2)).isZero();
            }
        }
    }
}
