package dev.vitra.watchdog.alert;

import java.io.IOException;
import java.time.Duration;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/** JSON POSTs for the HTTP channels and the heartbeat: one client with the given timeouts, a bounded read of the answer. */
final class JsonPoster implements AutoCloseable {
    static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
    /** The most of a receiver's answer kept for the attempt's record. */
    private static final int MAX_ANSWER_CHARS = 300;

    private final OkHttpClient client;

    JsonPoster(Duration timeout) {
        this.client = new OkHttpClient.Builder().connectTimeout(timeout).readTimeout(timeout).writeTimeout(timeout)
                .callTimeout(timeout.multipliedBy(2)).followRedirects(false).retryOnConnectionFailure(false).build();
    }

    /** POSTs {@code body} to {@code url}; a 2xx answer is accepted, anything else is a failed attempt. */
    String post(String url, byte[] body, Request.Builder headers) throws AlertChannel.DeliveryException {
        Request request = headers.url(url).post(RequestBody.create(body, JSON)).header("User-Agent", "vitra-watchdog").build();
        try (Response response = client.newCall(request).execute()) {
            String answer = answer(response.body());
            if (!response.isSuccessful()) {
                throw new AlertChannel.DeliveryException("POST " + url + ": HTTP " + response.code() + (answer.isEmpty() ? "" : ": " + answer));
            }
            return "POST " + url + ": HTTP " + response.code();
        } catch (IOException e) {
            throw new AlertChannel.DeliveryException("POST " + url + ": " + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    private static String answer(ResponseBody body) throws IOException {
        if (body == null) {
            return "";
        }
        try (okio.BufferedSource source = body.source()) {
            source.request(MAX_ANSWER_CHARS * 4L);
            okio.Buffer buffer = source.getBuffer();
            String text = buffer.readUtf8(Math.min(buffer.size(), MAX_ANSWER_CHARS * 4L)).strip();
            return text.length() > MAX_ANSWER_CHARS ? text.substring(0, MAX_ANSWER_CHARS) + "..." : text;
        }
    }

    @Override
    public void close() {
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }
}
