package dev.vitra.watchdog.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpServer;
import dev.vitra.watchdog.alert.AlertSender;
import dev.vitra.watchdog.alert.AlertmanagerServer;
import dev.vitra.watchdog.alert.Alerting;
import dev.vitra.watchdog.alert.WebhookChannel;
import dev.vitra.watchdog.config.ConfigLoader;
import dev.vitra.watchdog.contract.ContractEngine;
import dev.vitra.watchdog.contract.ContractLimits;
import dev.vitra.watchdog.evidence.ProofCodec;
import dev.vitra.watchdog.evidence.ProofVerifier;
import dev.vitra.watchdog.executor.Executor;
import dev.vitra.watchdog.executor.ExecutorServer;
import dev.vitra.watchdog.executor.Fault;
import dev.vitra.watchdog.protocol.Json;
import dev.vitra.watchdog.protocol.JsonValue;
import dev.vitra.watchdog.store.AuditStore;
import dev.vitra.watchdog.store.Rows;
import dev.vitra.watchdog.store.StoreSession;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
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
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alerts end to end with real parts: the reference executor on loopback, the service with real schedules, an SMTP
 * server (GreenMail), a webhook receiver, and a real Alertmanager read back from its API.
 */
class AlertDeliveryTest {
    private static final String SECRET = "webhook-secret-for-tests";
    private static final Alerting.Timing FAST = new Alerting.Timing(Duration.ofMillis(300), Duration.ofMillis(100),
            new AlertSender.Backoff(Duration.ofMillis(200), Duration.ofSeconds(1)));

    private static ContractEngine engine;
    private static String counter;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeAll
    static void engine() throws Exception {
        engine = ContractEngine.create(ContractLimits.defaults());
        try (InputStream in = AlertDeliveryTest.class.getResourceAsStream("/contracts/counter.js")) {
            counter = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @AfterAll
    static void closeEngine() {
        engine.close();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    /** A webhook receiver that records every request: its body and its headers. */
    record Received(byte[] body, String signature, String idempotencyKey) {
        JsonValue.Obj json() throws Exception {
            return (JsonValue.Obj) Json.parse(new String(body, StandardCharsets.UTF_8));
        }

        String text(String member) throws Exception {
            return json().members().get(member) instanceof JsonValue.Str s ? s.value() : null;
        }
    }

    private final List<Received> webhooks = new CopyOnWriteArrayList<>();

    private String webhook() throws Exception {
        HttpServer server = dev.vitra.watchdog.testing.LoopbackHttpServer.create();
        server.createContext("/hook", x -> {
            byte[] body = x.getRequestBody().readAllBytes();
            webhooks.add(new Received(body, x.getRequestHeaders().getFirst(WebhookChannel.SIGNATURE_HEADER),
                    x.getRequestHeaders().getFirst(WebhookChannel.IDEMPOTENCY_HEADER)));
            x.sendResponseHeaders(204, -1);
            x.close();
        });
        server.start();
        toClose.add(() -> server.stop(0));
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private GreenMail smtp(int port) {
        GreenMail mail = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        mail.start();
        toClose.add(mail::stop);
        return mail;
    }

    private record Db(Executor executor, ExecutorServer server) {
        void increment(int n) throws Exception {
            for (int i = 0; i < n; i++) {
                executor.call(executor.participants().get(0), "increment", "{}");
            }
            executor.processPending();
        }
    }

    private Db database(Path dir, int port) throws Exception {
        Executor ex = Executor.create(dir, counter, 1, engine, Clock.fixed(Instant.ofEpochMilli(1_700_000_000_000L), ZoneOffset.UTC));
        ExecutorServer server = ExecutorServer.start(ex, new InetSocketAddress(InetAddress.getLoopbackAddress(), port), Duration.ofHours(1));
        toClose.add(server);
        Db db = new Db(ex, server);
        db.increment(2);
        return db;
    }

    private static String config(Path dir, int smtpPort, String hook, String alertmanager, String extraAlerts, String monitors) {
        return "store:\n  h2-file: " + dir.resolve("watchdog.mv.db") + "\nhttp:\n  listen: 127.0.0.1:0\n"
                + "limits:\n  http-read-timeout: 1s\n  http-call-timeout: 3s\n  http-attempts: 1\n"
                + "alerts:\n  availability-after: 0s\n" + extraAlerts
                + "  smtp:\n    host: 127.0.0.1\n    port: " + smtpPort + "\n    security: none\n    from: watchdog@example.org\n"
                + "    timeout: 5s\n"
                + "  channels:\n    mail: {type: email, to: [ops@example.org]}\n"
                + "    hook: {type: webhook, url: \"" + hook + "\", secret-file: hook-secret}\n"
                + (alertmanager == null ? "" : "    am: {type: alertmanager, url: \"" + alertmanager + "\", repeat-every: 1s}\n")
                + "  routes:\n    fraud: [mail, hook" + (alertmanager == null ? "" : ", am") + "]\n    availability: [mail, hook"
                + (alertmanager == null ? "" : ", am") + "]\n"
                + "monitors:\n" + monitors;
    }

    private static String monitor(String name, Db db) {
        return "  - name: " + name + "\n    executor: \"" + db.server().baseUrl() + "\"\n    index-log: "
                + db.executor().indexLogId().hex() + "\n    schedule: {every: 1s}\n    freshness-deadline: 1m\n";
    }

    private WatchdogService start(Path dir, String yaml) throws Exception {
        Files.writeString(dir.resolve("hook-secret"), SECRET + "\n");
        Path file = dir.resolve("monitors.yaml");
        Files.writeString(file, yaml);
        WatchdogService s = WatchdogService.start(ConfigLoader.load(file), FAST);
        toClose.add(s);
        return s;
    }

    private static void await(String what, BooleanSupplier done) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("never happened: " + what);
            }
            Thread.sleep(100);
        }
    }

    private static byte[] attachment(MimeMessage m) throws Exception {
        Multipart mixed = (Multipart) m.getContent();
        for (int i = 0; i < mixed.getCount(); i++) {
            Part p = mixed.getBodyPart(i);
            if (Part.ATTACHMENT.equalsIgnoreCase(p.getDisposition())) {
                return p.getInputStream().readAllBytes();
            }
        }
        throw new AssertionError("no attachment");
    }

    @Test
    void aCheatingExecutorProducesExactlyOneEmailOneSignedWebhookAndOneAlertInAlertmanager(@TempDir Path dir) throws Exception {
        GreenMail mail = smtp(freePort());
        String hook = webhook();
        AlertmanagerServer am = AlertmanagerServer.start(dir.resolve("am"));
        toClose.add(am);
        Db honest = database(dir.resolve("honest"), 0);
        Db cheat = database(dir.resolve("cheat"), 0);
        cheat.executor().setFault(Fault.WRONG_CHANGES, true);
        cheat.increment(1);
        WatchdogService s = start(dir, config(dir, mail.getSmtp().getPort(), hook, am.url(), "",
                monitor("honest", honest) + monitor("cheat", cheat)));

        await("an email", () -> mail.getReceivedMessages().length >= 1);
        await("a webhook", () -> !webhooks.isEmpty());
        await("an alert in Alertmanager", () -> {
            try {
                return am.alerts().contains("VitraFraudProven");
            } catch (Exception e) {
                return false;
            }
        });
        // Several more passes, and repeats to Alertmanager (every second here): still one email, one webhook, one alert.
        await("more passes", () -> s.scheduler().monitor("cheat").orElseThrow().snapshot().passes() >= 4);
        Thread.sleep(1000);

        MimeMessage[] messages = mail.getReceivedMessages();
        assertThat(messages).hasSize(1);
        MimeMessage m = messages[0];
        assertThat(m.getSubject()).startsWith("[vitra-watchdog] FRAUD PROVEN on cheat: ChangeMismatchError");
        assertThat(m.getAllRecipients()).extracting(Object::toString).containsExactly("ops@example.org");
        assertThat(m.getMessageID()).matches("<[0-9a-f]{40}@vitra-watchdog>");
        byte[] proof = attachment(m);
        ProofVerifier.verify(ProofCodec.parse(proof)); // throws unless the attached proof holds offline

        assertThat(webhooks).hasSize(1);
        Received w = webhooks.getFirst();
        assertThat(w.signature()).isEqualTo("sha256=" + WebhookChannel.hmacSha256Hex(SECRET, w.body()));
        // One id per alert (this one is the webhook's, not the email's), the same in every attempt.
        assertThat(w.idempotencyKey()).matches("<[0-9a-f]{40}@vitra-watchdog>").isNotEqualTo(m.getMessageID());
        assertThat(w.text("id")).isEqualTo(w.idempotencyKey());
        assertThat(w.text("version")).isEqualTo("vitra-watchdog-alert/1");
        assertThat(w.text("event")).isEqualTo("firing");
        assertThat(w.text("monitor")).isEqualTo("cheat");
        assertThat(w.text("code")).isEqualTo("ChangeMismatchError");
        JsonValue.Obj embedded = (JsonValue.Obj) w.json().members().get("proof");
        assertThat(ProofCodec.id(proof)).isEqualTo(((JsonValue.Str) embedded.members().get("id")).value());
        assertThat(embedded.members()).containsKey("document");

        JsonValue.Arr alerts = (JsonValue.Arr) Json.parse(am.alerts());
        assertThat(alerts.elements()).hasSize(1);
        JsonValue.Obj labels = (JsonValue.Obj) ((JsonValue.Obj) alerts.elements().getFirst()).members().get("labels");
        assertThat(Json.write(labels)).contains("\"alertname\":\"VitraFraudProven\"", "\"monitor\":\"cheat\"",
                "\"severity\":\"critical\"", "\"code\":\"ChangeMismatchError\"");
    }

    @Test
    void anOutageIsAlertedRemindedAndResolved(@TempDir Path dir) throws Exception {
        GreenMail mail = smtp(freePort());
        String hook = webhook();
        AlertmanagerServer am = AlertmanagerServer.start(dir.resolve("am"));
        toClose.add(am);
        int port = freePort();
        Db db = database(dir.resolve("db"), port);
        WatchdogService s = start(dir, config(dir, mail.getSmtp().getPort(), hook, am.url(), "  renotify-every: 2s\n",
                monitor("shop", db)));
        await("a verified pass", () -> s.scheduler().monitor("shop").orElseThrow().snapshot().passes() >= 1);
        assertThat(mail.getReceivedMessages()).isEmpty();

        db.server().close();
        await("the outage alerted", () -> webhooks.size() >= 1);
        await("a reminder", () -> webhooks.size() >= 2);
        await("the outage in Alertmanager", () -> activeIn(am, "VitraAvailability"));
        ExecutorServer again = ExecutorServer.start(db.executor(), new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                Duration.ofHours(1));
        toClose.add(again);
        await("resolved", () -> webhooks.stream().anyMatch(r -> {
            try {
                return "resolved".equals(r.text("event"));
            } catch (Exception e) {
                return false;
            }
        }));
        Thread.sleep(500);
        List<String> events = new ArrayList<>();
        for (Received r : webhooks) {
            events.add(r.text("event") + " " + r.text("code"));
        }
        assertThat(events.getFirst()).isEqualTo("firing LogUnreachable");
        assertThat(events).contains("repeat LogUnreachable");
        assertThat(events.getLast()).isEqualTo("resolved LogUnreachable");
        assertThat(events.stream().filter(e -> e.startsWith("resolved"))).hasSize(1);
        await("the emails", () -> mail.getReceivedMessages().length == events.size());
        assertThat(mail.getReceivedMessages()[0].getSubject()).isEqualTo("[vitra-watchdog] shop cannot be verified: LogUnreachable");
        assertThat(mail.getReceivedMessages()[events.size() - 1].getSubject()).isEqualTo("[vitra-watchdog] resolved on shop: LogUnreachable");
        // Alertmanager got endsAt: the alert is no longer active there.
        await("the outage resolved in Alertmanager", () -> !activeIn(am, "VitraAvailability"));
    }

    private static boolean activeIn(AlertmanagerServer am, String alertname) {
        try {
            for (JsonValue a : ((JsonValue.Arr) Json.parse(am.alerts())).elements()) {
                JsonValue.Obj alert = (JsonValue.Obj) a;
                String state = Json.write(alert.members().get("status"));
                if (Json.write(alert.members().get("labels")).contains("\"alertname\":\"" + alertname + "\"")
                        && state.contains("\"state\":\"active\"")) {
                    return true;
                }
            }
            return false;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void anSmtpServerThatIsDownGetsTheAlertOnceItComesBackAndEveryAttemptIsRecorded(@TempDir Path dir) throws Exception {
        int smtpPort = freePort(); // nothing listens yet
        String hook = webhook();
        Db cheat = database(dir.resolve("cheat"), 0);
        cheat.executor().setFault(Fault.WRONG_CHANGES, true);
        cheat.increment(1);
        WatchdogService s = start(dir, config(dir, smtpPort, hook, null, "", monitor("cheat", cheat)));
        await("the webhook (another channel is not held up)", () -> !webhooks.isEmpty());
        Path store = dir.resolve("watchdog.mv.db");
        await("two failed email attempts", () -> emailAlert(s, store).attempts() >= 2);
        GreenMail mail = smtp(smtpPort);
        await("the email", () -> mail.getReceivedMessages().length == 1);
        Thread.sleep(1500);
        assertThat(mail.getReceivedMessages()).hasSize(1);
        s.close();
        try (AuditStore opened = AuditStore.openH2(store); StoreSession session = opened.session()) {
            Rows.Alert a = session.alerts(session.databases().getFirst().id()).stream().filter(x -> x.channel().equals("mail"))
                    .findFirst().orElseThrow();
            assertThat(a.deliveredAt()).isPresent();
            List<String> attempts = session.alertAttempts(a.id());
            assertThat(attempts.getFirst()).startsWith("1 failed SMTP 127.0.0.1:" + smtpPort);
            assertThat(attempts.getLast()).startsWith(attempts.size() + " delivered SMTP 127.0.0.1:" + smtpPort + ": 250");
        }
    }

    /** The email alert of the only database (read through the running service's store). */
    private static Rows.Alert emailAlert(WatchdogService s, Path storeFile) {
        try (StoreSession session = s.store().session()) {
            return session.alerts(session.databases().getFirst().id()).stream().filter(x -> x.channel().equals("mail"))
                    .findFirst().orElse(new Rows.Alert(0, 0, 0, "", "", "", "", "", "", "", "", 0, 0, 0, java.util.OptionalLong.empty(),
                            java.util.OptionalLong.empty(), java.util.Optional.empty()));
        }
    }

}
