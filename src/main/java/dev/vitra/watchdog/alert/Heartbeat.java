package dev.vitra.watchdog.alert;

import dev.vitra.watchdog.config.WatchdogConfig;
import dev.vitra.watchdog.protocol.Json;
import dev.vitra.watchdog.protocol.JsonValue;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import okhttp3.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dead-man signal (docs/alerts.md): a JSON POST ({@code vitra-watchdog-heartbeat/1}) every {@code every}, sent
 * only while the service works, so whatever expects it raises the alarm when the watchdog stops, hangs, or loses its
 * store. A failed ping is logged and not retried: the next one is the retry.
 */
public final class Heartbeat implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Heartbeat.class);
    public static final String VERSION = "vitra-watchdog-heartbeat/1";

    private final WatchdogConfig.Heartbeat config;
    private final BooleanSupplier healthy;
    private final Clock clock;
    private final JsonPoster poster;
    private final int monitors;
    private boolean failing;

    public Heartbeat(WatchdogConfig.Heartbeat config, int monitors, BooleanSupplier healthy, Clock clock) {
        this.config = config;
        this.monitors = monitors;
        this.healthy = healthy;
        this.clock = clock;
        this.poster = new JsonPoster(config.every().compareTo(java.time.Duration.ofSeconds(10)) < 0 ? config.every()
                : java.time.Duration.ofSeconds(10));
    }

    /** One beat: sent when the service is healthy; returns whether it was sent and accepted. */
    public boolean beat() {
        if (!healthy.getAsBoolean()) {
            LOG.warn("heartbeat withheld: the service is not healthy (see /readyz)");
            return false;
        }
        Map<String, JsonValue> m = new LinkedHashMap<>();
        m.put("version", new JsonValue.Str(VERSION));
        m.put("at", new JsonValue.Str(clock.instant().toString()));
        m.put("monitors", new JsonValue.Num(Integer.toString(monitors), monitors));
        byte[] body = Json.write(new JsonValue.Obj(m)).getBytes(StandardCharsets.UTF_8);
        Request.Builder headers = new Request.Builder();
        config.secret().ifPresent(s -> headers.header(WebhookChannel.SIGNATURE_HEADER, "sha256="
                + WebhookChannel.hmacSha256Hex(s.value(), body)));
        try {
            poster.post(config.url(), body, headers);
            if (failing) {
                LOG.info("heartbeat accepted again by {}", config.url());
            }
            failing = false;
            return true;
        } catch (AlertChannel.DeliveryException e) {
            if (!failing) {
                LOG.warn("heartbeat not accepted (logged once until it is again): {}", e.getMessage());
            }
            failing = true;
            return false;
        }
    }

    @Override
    public void close() {
        poster.close();
    }
}
