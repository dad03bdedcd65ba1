package dev.vitra.watchdog.alert;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpServer;
import dev.vitra.watchdog.config.ConfigLoader;
import dev.vitra.watchdog.config.WatchdogConfig;
import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.store.AuditStore;
import dev.vitra.watchdog.store.StoreSession;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DigestAndHeartbeatTest {
    private static final LogId INDEX = LogId.parse(LogId.signerFor(new byte[32]).publicKey().toHex());

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void periodsStartAtTheConfiguredUtcTimeDailyOrOnMondays() {
        LocalTime eight = LocalTime.of(8, 0);
        assertThat(DigestSender.periodStart(Instant.parse("2026-12-02T09:00:00Z"), false, eight)).isEqualTo("2026-12-02T08:00:00Z");
        assertThat(DigestSender.periodStart(Instant.parse("2026-12-02T07:59:59Z"), false, eight)).isEqualTo("2026-12-01T08:00:00Z");
        assertThat(DigestSender.periodStart(Instant.parse("2026-12-02T08:00:00Z"), false, eight)).isEqualTo("2026-12-02T08:00:00Z");
        // 2026-12-02 is a Wednesday; the Monday before is 11-30.
        assertThat(DigestSender.periodStart(Instant.parse("2026-12-02T09:00:00Z"), true, eight)).isEqualTo("2026-11-30T08:00:00Z");
        assertThat(DigestSender.periodStart(Instant.parse("2026-11-30T07:00:00Z"), true, eight)).isEqualTo("2026-11-23T08:00:00Z");
    }

    @Test
    void aDigestGoesOutOncePerPeriodAfterTheFirstWholePeriodAndIsRetriedWhileTheServerIsDown(@TempDir Path dir) throws Exception {
        int port = freePort();
        WatchdogConfig config = ConfigLoader.parse(dir.resolve("monitors.yaml"), "alerts:\n  smtp: {host: 127.0.0.1, port: " + port
                + ", security: none, from: w@example.org, timeout: 2s}\n  channels:\n    mail: {type: email, to: [ops@example.org]}\n"
                + "  digest: {channels: [mail], every: daily, at: '08:00'}\n"
                + "monitors:\n  - name: shop\n    executor: http://127.0.0.1:1\n    index-log: " + INDEX.hex() + "\n", name -> null);
        dev.vitra.watchdog.testing.MutableClock clock = new dev.vitra.watchdog.testing.MutableClock(Instant.parse("2026-12-02T09:00:00Z"));
        try (AuditStore store = AuditStore.openH2(dir.resolve("w.mv.db"))) {
            try (StoreSession s = store.session()) {
                long db = s.createDatabase(INDEX, "http://127.0.0.1:1", 0).id();
                long f = s.insertFinding(db, "availability", "LogUnreachable", Optional.of(INDEX), OptionalLong.empty(),
                        OptionalLong.empty(), OptionalLong.empty(), "k", "down", "{}", Instant.parse("2026-12-03T10:00:00Z").toEpochMilli());
                s.resolveFinding(f, Instant.parse("2026-12-03T11:00:00Z").toEpochMilli());
                s.commit();
            }
            AlertTemplates templates = AlertTemplates.load(Optional.empty());
            EmailChannel mail = new EmailChannel((WatchdogConfig.Channel.Email) config.alerts().channels().get("mail"),
                    config.alerts().smtp().orElseThrow(), templates);
            DigestSender digest = new DigestSender(config.alerts().digest().orElseThrow(), Map.of("mail", mail), templates, store,
                    clock, config);

            assertThat(digest.tick()).as("the period configured in is skipped").isZero();
            clock.set(Instant.parse("2026-12-03T08:00:05Z"));
            assertThat(digest.tick()).as("its digest is not sent").isZero();
            clock.set(Instant.parse("2026-12-04T08:00:05Z"));
            assertThat(digest.tick()).as("the server is down").isZero();
            GreenMail smtp = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
            smtp.start();
            try {
                assertThat(digest.tick()).as("too early for the retry").isZero();
                clock.set(Instant.parse("2026-12-04T08:02:00Z"));
                assertThat(digest.tick()).isEqualTo(1);
                assertThat(digest.tick()).isZero();
                clock.set(Instant.parse("2026-12-04T20:00:00Z"));
                assertThat(digest.tick()).isZero();
                assertThat(smtp.getReceivedMessages()).hasSize(1);
                var m = smtp.getReceivedMessages()[0];
                assertThat(m.getSubject()).isEqualTo("[vitra-watchdog] daily digest: all 1 verified");
                String body = com.icegreen.greenmail.util.GreenMailUtil.getBody(m);
                assertThat(body).contains("2026-12-03T08:00:00Z to 2026-12-04T08:00:00Z", "shop (auditing, 0 index entries verified)",
                        "1 found", "availability LogUnreachable", "1 resolved");
            } finally {
                smtp.stop();
            }
        }
    }

    @Test
    void aHeartbeatIsSentOnlyWhileTheServiceIsHealthyAndIsSigned() throws Exception {
        List<String[]> pings = new CopyOnWriteArrayList<>();
        HttpServer server = dev.vitra.watchdog.testing.LoopbackHttpServer.create();
        server.createContext("/ping", x -> {
            pings.add(new String[] {new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8),
                    x.getRequestHeaders().getFirst(WebhookChannel.SIGNATURE_HEADER)});
            x.sendResponseHeaders(200, -1);
            x.close();
        });
        server.start();
        try {
            boolean[] healthy = {true};
            WatchdogConfig.Heartbeat config = new WatchdogConfig.Heartbeat("http://127.0.0.1:" + server.getAddress().getPort() + "/ping",
                    java.time.Duration.ofMinutes(1), Optional.of(new dev.vitra.watchdog.config.Secret("test", "s")));
            try (Heartbeat h = new Heartbeat(config, 3, () -> healthy[0], Clock.fixed(Instant.parse("2026-12-02T09:00:00Z"),
                    ZoneOffset.UTC))) {
                assertThat(h.beat()).isTrue();
                healthy[0] = false;
                assertThat(h.beat()).isFalse();
            }
            assertThat(pings).hasSize(1);
            assertThat(pings.getFirst()[0]).isEqualTo("{\"version\":\"vitra-watchdog-heartbeat/1\",\"at\":\"2026-12-02T09:00:00Z\","
                    + "\"monitors\":3}");
            assertThat(pings.getFirst()[1]).isEqualTo("sha256=" + WebhookChannel.hmacSha256Hex("s",
                    pings.getFirst()[0].getBytes(StandardCharsets.UTF_8)));
        } finally {
            server.stop(0);
        }
    }

}
