package dev.vitra.watchdog.alert;

import dev.vitra.watchdog.config.WatchdogConfig;
import dev.vitra.watchdog.protocol.Json;
import dev.vitra.watchdog.protocol.JsonValue;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import okhttp3.Request;

/**
 * Pushes alerts to Alertmanager's {@code /api/v2/alerts}, the Prometheus convention: a firing alert is posted again
 * every {@code repeat-every} with {@code endsAt} a few of those ahead (so it stays active while the incident lasts,
 * and lapses if the watchdog stops), and once more with {@code endsAt} when it is resolved. Labels identify the
 * incident ({@code alertname}, {@code monitor}, {@code severity}, {@code code}, {@code finding}), so Alertmanager's
 * grouping, silences and inhibition apply.
 */
public final class AlertmanagerChannel implements AlertChannel {
    /** How many repeat intervals a firing alert stays active without being posted again. */
    static final int ACTIVE_INTERVALS = 3;

    private final JsonPoster poster;
    private final WatchdogConfig.Channel.Alertmanager channel;
    private final Clock clock;
    /** How often repeats are planned at most: a repeat can come this much after its interval. */
    private final java.time.Duration tick;

    public AlertmanagerChannel(WatchdogConfig.Channel.Alertmanager channel, Clock clock, java.time.Duration tick) {
        this.tick = tick;
        this.poster = new JsonPoster(channel.timeout());
        this.channel = channel;
        this.clock = clock;
    }

    public static String alertName(String kind) {
        return switch (kind) {
            case "fraud" -> "VitraFraudProven";
            case "availability" -> "VitraAvailability";
            default -> "VitraNotice";
        };
    }

    static String severity(String kind) {
        return switch (kind) {
            case "fraud" -> "critical";
            case "availability" -> "warning";
            default -> "info";
        };
    }

    @Override
    public String name() {
        return channel.name();
    }

    @Override
    public void close() {
        poster.close();
    }

    @Override
    public String deliver(AlertContent content) throws DeliveryException {
        String base = channel.url().endsWith("/") ? channel.url().substring(0, channel.url().length() - 1) : channel.url();
        return poster.post(base + "/api/v2/alerts", body(content).getBytes(java.nio.charset.StandardCharsets.UTF_8), new Request.Builder());
    }

    String body(AlertContent content) {
        Map<String, JsonValue> labels = new LinkedHashMap<>();
        labels.put("alertname", new JsonValue.Str(alertName(content.finding().kind())));
        labels.put("monitor", new JsonValue.Str(content.alert().monitor()));
        labels.put("severity", new JsonValue.Str(severity(content.finding().kind())));
        labels.put("code", new JsonValue.Str(content.finding().code()));
        labels.put("finding", new JsonValue.Str(Long.toString(content.finding().id())));
        Map<String, JsonValue> annotations = new LinkedHashMap<>();
        annotations.put("summary", new JsonValue.Str(content.finding().summary()));
        annotations.put("database", new JsonValue.Str(content.database().indexLog().hex()));
        content.finding().atPosition().ifPresent(p -> annotations.put("position", new JsonValue.Str(Long.toString(p))));
        content.proofId().ifPresent(id -> {
            annotations.put("proof_id", new JsonValue.Str(id));
            annotations.put("verify_command", new JsonValue.Str("vitra-watchdog verify-proof " + content.proofFileName()));
        });
        Instant now = clock.instant();
        Instant endsAt = content.alert().event().equals(AlertPlanner.RESOLVED)
                ? Instant.ofEpochMilli(content.finding().resolvedAt().orElse(now.toEpochMilli()))
                : now.plus(channel.repeatEvery().plus(tick).multipliedBy(ACTIVE_INTERVALS));
        Map<String, JsonValue> alert = new LinkedHashMap<>();
        alert.put("labels", new JsonValue.Obj(labels));
        alert.put("annotations", new JsonValue.Obj(annotations));
        alert.put("startsAt", new JsonValue.Str(Instant.ofEpochMilli(content.finding().firstSeenAt()).toString()));
        alert.put("endsAt", new JsonValue.Str(endsAt.toString()));
        return Json.write(new JsonValue.Arr(List.of(new JsonValue.Obj(alert))));
    }
}
