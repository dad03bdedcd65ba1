package dev.vitra.watchdog.alert;

import dev.vitra.watchdog.config.WatchdogConfig;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import okhttp3.Request;

/**
 * A JSON POST of the alert ({@code vitra-watchdog-alert/1}, docs/alerts.md) with the proof embedded. The body is
 * signed, when a secret is configured, with HMAC-SHA256 in {@code X-Vitra-Signature: sha256=<hex>}; every attempt
 * of one alert carries the same {@code Idempotency-Key}.
 */
public final class WebhookChannel implements AlertChannel {
    public static final String SIGNATURE_HEADER = "X-Vitra-Signature";
    public static final String IDEMPOTENCY_HEADER = "Idempotency-Key";

    private final JsonPoster poster;
    private final WatchdogConfig.Channel.Webhook channel;

    public WebhookChannel(WatchdogConfig.Channel.Webhook channel) {
        this.poster = new JsonPoster(channel.timeout());
        this.channel = channel;
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
        byte[] body = content.webhookPayload();
        Request.Builder headers = new Request.Builder().header(IDEMPOTENCY_HEADER, content.alert().messageId());
        channel.secret().ifPresent(s -> headers.header(SIGNATURE_HEADER, "sha256=" + hmacSha256Hex(s.value(), body)));
        return poster.post(channel.url(), body, headers);
    }

    /** HMAC-SHA256 of {@code body} under the UTF-8 bytes of {@code secret}, as lowercase hex. */
    public static String hmacSha256Hex(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8), "HmacSHA256"));
            return java.util.HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 is part of every JDK", e);
        }
    }
}
