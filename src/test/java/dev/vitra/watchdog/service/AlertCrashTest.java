package dev.vitra.watchdog.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.vitra.watchdog.alert.WebhookChannel;
import dev.vitra.watchdog.cli.Main;
import dev.vitra.watchdog.contract.ContractEngine;
import dev.vitra.watchdog.contract.ContractLimits;
import dev.vitra.watchdog.executor.Executor;
import dev.vitra.watchdog.executor.ExecutorServer;
import dev.vitra.watchdog.executor.Fault;
import dev.vitra.watchdog.store.AuditStore;
import dev.vitra.watchdog.store.Rows;
import dev.vitra.watchdog.store.StoreSession;
import dev.vitra.watchdog.util.ChildJvm;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outbox across a crash: the service is SIGKILLed while a webhook receiver holds the alert's delivery (sent, not
 * yet marked delivered). The next start delivers it again, once, with the same idempotency key; nothing is lost.
 */
class AlertCrashTest {
    private record Request(String idempotencyKey, String event) {
    }

    @Test
    void aServiceKilledBetweenSendingAndMarkingDeliversOnceMoreWithTheSameIdAfterItsRestart(@TempDir Path dir) throws Exception {
        String counter;
        try (InputStream in = getClass().getResourceAsStream("/contracts/counter.js")) {
            counter = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<Request> received = new CopyOnWriteArrayList<>();
        CountDownLatch firstArrived = new CountDownLatch(1);
        CountDownLatch killed = new CountDownLatch(1);
        HttpServer hook = dev.vitra.watchdog.testing.LoopbackHttpServer.create();
        hook.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        hook.createContext("/hook", x -> {
            String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            received.add(new Request(x.getRequestHeaders().getFirst(WebhookChannel.IDEMPOTENCY_HEADER),
                    body.replaceAll("(?s).*\"event\":\"([a-z]+)\".*", "$1")));
            if (received.size() == 1) {
                firstArrived.countDown();
                try {
                    killed.await(60, TimeUnit.SECONDS); // the sender is killed while it waits for this answer
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            x.sendResponseHeaders(204, -1);
            x.close();
        });
        hook.start();
        try (ContractEngine engine = ContractEngine.create(ContractLimits.defaults())) {
            Executor ex = Executor.create(dir.resolve("db"), counter, 1, engine, Clock.fixed(Instant.ofEpochMilli(1_700_000_000_000L),
                    ZoneOffset.UTC));
            ex.call(ex.participants().get(0), "increment", "{}");
            ex.setFault(Fault.WRONG_CHANGES, true);
            ex.call(ex.participants().get(0), "increment", "{}");
            ex.processPending();
            try (ExecutorServer server = ExecutorServer.start(ex, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    Duration.ofHours(1))) {
                Path config = dir.resolve("monitors.yaml");
                Files.writeString(config, "store:\n  h2-file: " + dir.resolve("w.mv.db") + "\nhttp:\n  listen: 127.0.0.1:0\n"
                        + "alerts:\n  channels:\n    hook: {type: webhook, url: 'http://127.0.0.1:" + hook.getAddress().getPort()
                        + "/hook'}\n  routes:\n    fraud: [hook]\n"
                        + "monitors:\n  - name: cheat\n    executor: '" + server.baseUrl() + "'\n    index-log: " + ex.indexLogId().hex()
                        + "\n    schedule: {every: 1s}\n    freshness-deadline: 10m\n");

                Path log1 = dir.resolve("run1.log");
                Process first = run(config, log1);
                assertThat(firstArrived.await(90, TimeUnit.SECONDS)).as("the first delivery; log:\n%s", Files.readString(log1)).isTrue();
                first.destroyForcibly(); // SIGKILL: the alert was sent, its delivery not yet recorded
                assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
                killed.countDown();

                Path log2 = dir.resolve("run2.log");
                Process second = run(config, log2);
                long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                while (received.size() < 2 && System.nanoTime() < end) {
                    Thread.sleep(100);
                }
                Thread.sleep(3000); // several passes and sender rounds later: still no third delivery
                second.destroy();
                assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(second.exitValue()).as(Files.readString(log2)).isZero();

                assertThat(received).hasSize(2);
                assertThat(received.get(1)).isEqualTo(received.get(0));
                assertThat(received.get(0).event()).isEqualTo("firing");
                try (AuditStore store = AuditStore.openH2(dir.resolve("w.mv.db")); StoreSession s = store.session()) {
                    List<Rows.Alert> alerts = s.alerts(s.databases().getFirst().id());
                    assertThat(alerts).singleElement().satisfies(a -> {
                        assertThat(a.deliveredAt()).isPresent();
                        assertThat(s.alertAttempts(a.id())).containsExactly("1 started", "2 delivered POST http://127.0.0.1:"
                                + hook.getAddress().getPort() + "/hook: HTTP 204");
                    });
                }
            }
        } finally {
            hook.stop(0);
        }
    }

    private static Process run(Path config, Path log) throws Exception {
        List<String> cmd = new ArrayList<>(ChildJvm.command(true));
        cmd.addAll(List.of(Main.class.getName(), "run", "--config", config.toString()));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

}
