package dev.vitra.watchdog.alert;

import java.io.IOException;
import java.time.Duration;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/** What the HTTP channels share: one client with the channel's timeouts, a bounded read of the answer. */
abstract class HttpAlertChannel implements AlertChannel {
    static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
    /** The most of a receiver's answer kept for the attempt's record. */
    private static final int MAX_ANSWER_CHARS = 300;

    private final String name;
    private final OkHttpClient client;

    HttpAlertChannel(String name, Duration timeout) {
        this.name = name;
        this.client = new OkHttpClient.Builder().connectTimeout(timeout).readTimeout(timeout).writeTimeout(timeout)
                .callTimeout(timeout.multipliedBy(2)).followRedirects(false).retryOnConnectionFailure(false).build();
    }

    @Override
    public String name() {
        return name;
    }

    /** POSTs {@code body} to {@code url}; a 2xx answer is accepted, anything else is a failed attempt. */
    String post(String url, byte[] body, Request.Builder headers) throws DeliveryException {
        Request request = headers.url(url).post(RequestBody.create(body, JSON)).header("User-Agent", "vitra-watchdog").build();
        try (Response response = client.newCall(request).execute()) {
            String answer = answer(response.body());
            if (!response.isSuccessful()) {
                throw new DeliveryException("POST " + url + ": HTTP " + response.code() + (answer.isEmpty() ? "" : ": " + answer));
            }
            return "POST " + url + ": HTTP " + response.code();
        } catch (IOException e) {
            throw new DeliveryException("POST " + url + ": " + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
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
