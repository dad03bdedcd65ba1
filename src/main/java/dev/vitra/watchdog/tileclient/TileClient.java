package dev.vitra.watchdog.tileclient;

import dev.vitra.watchdog.tiles.EntryBundleId;
import dev.vitra.watchdog.tiles.HashTileId;
import dev.vitra.watchdog.tiles.TileResource;
import dev.vitra.watchdog.tiles.TileSource;
import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;

/**
 * Fetches a tlog-tiles log's checkpoint, tiles and bundles over HTTP with OkHttp, treating the server as
 * hostile: timeouts on connect, read and the whole call; a size cap on every body (checked after gzip
 * decoding, so a compression bomb is cut off too); retries with exponential backoff and full jitter on network
 * errors, 429 and 5xx, honouring {@code Retry-After} up to a limit; redirects followed only within the same
 * scheme, host and port; at most {@code parallelism} requests at once.
 */
public final class TileClient implements TileSource, Closeable {
    private static final OkHttpClient SHARED = new OkHttpClient();
    private static final int MAX_REDIRECTS = 5;

    private final HttpUrl prefix;
    private final TileClientConfig config;
    private final OkHttpClient http;
    private final ExecutorService pool;
    private final AtomicLong bytesFetched = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();

    public TileClient(String prefixUrl, TileClientConfig config) {
        HttpUrl parsed = HttpUrl.parse(prefixUrl);
        if (parsed == null) {
            throw new IllegalArgumentException("not an http(s) URL: \"" + prefixUrl + "\"");
        }
        this.prefix = parsed;
        this.config = config;
        this.http = SHARED.newBuilder()
                // Its own connections: what one client saw never decides which view of a log another one gets.
                .connectionPool(new okhttp3.ConnectionPool())
                .connectTimeout(config.connectTimeout())
                .readTimeout(config.readTimeout())
                .callTimeout(config.callTimeout())
                .followRedirects(false)
                .followSslRedirects(false)
                .build();
        this.pool = Executors.newFixedThreadPool(config.parallelism(), r -> {
            Thread t = new Thread(r, "tile-fetch");
            t.setDaemon(true);
            return t;
        });
    }

    public HttpUrl prefix() {
        return prefix;
    }

    public int parallelism() {
        return config.parallelism();
    }

    /** Decoded bytes received in successful responses so far. */
    public long bytesFetched() {
        return bytesFetched.get();
    }

    /** HTTP requests sent so far, retries and redirects included. */
    public long requests() {
        return requests.get();
    }

    public byte[] fetchCheckpoint() throws FetchException {
        return get("checkpoint", config.maxCheckpointBytes());
    }

    /** The configured cap on one entry bundle's decoded bytes. */
    public int maxBundleBytes() {
        return config.maxBundleBytes();
    }

    @Override
    public byte[] read(TileResource resource) throws FetchException {
        return read(resource, config.maxBundleBytes());
    }

    /**
     * Fetches a tile (exactly its width × 32 bytes) or a bundle of at most {@code bundleCap} bytes (itself at most
     * the configured cap); a longer bundle fails with {@link FetchException.Kind#TOO_LARGE}.
     */
    public byte[] read(TileResource resource, int bundleCap) throws FetchException {
        int cap = switch (resource) {
            case HashTileId t -> t.byteLength();
            case EntryBundleId b -> Math.min(bundleCap, config.maxBundleBytes());
        };
        return get(resource.path(), cap);
    }

    /** Fetches on this client's pool; at most {@code parallelism} run at once. */
    public CompletableFuture<byte[]> readAsync(TileResource resource) {
        return readAsync(resource, config.maxBundleBytes());
    }

    /** {@link #read(TileResource, int)} on this client's pool. */
    public CompletableFuture<byte[]> readAsync(TileResource resource, int bundleCap) {
        CompletableFuture<byte[]> future = new CompletableFuture<>();
        pool.execute(() -> {
            try {
                future.complete(read(resource, bundleCap));
            } catch (Throwable t) {
                future.completeExceptionally(t);
            }
        });
        return future;
    }

    /** GETs {@code path} under the prefix with retries; the body may be at most {@code maxBytes}. */
    public byte[] get(String path, int maxBytes) throws FetchException {
        try {
            byte[] body = getWithRetries(path, maxBytes);
            config.observer().fetched("ok");
            return body;
        } catch (FetchException e) {
            config.observer().fetched(e.kind().name().toLowerCase(java.util.Locale.ROOT));
            throw e;
        }
    }

    private byte[] getWithRetries(String path, int maxBytes) throws FetchException {
        HttpUrl url = prefix.newBuilder().addPathSegments(path).build();
        int attempt = 0;
        while (true) {
            attempt++;
            Duration wait;
            try {
                return fetchFollowingRedirects(url, maxBytes, attempt);
            } catch (RetryableException e) {
                if (attempt >= config.maxAttempts()) {
                    throw e.finalFailure(attempt);
                }
                config.observer().fetched("retry");
                wait = backoff(attempt);
                if (e.retryAfter != null) {
                    if (e.retryAfter.compareTo(config.maxRetryAfter()) > 0) {
                        throw new FetchException(FetchException.Kind.RETRY_AFTER_TOO_LONG, url.toString(), e.status,
                                attempt, "server asked to retry after " + e.retryAfter.toSeconds()
                                        + " s, more than the limit of " + config.maxRetryAfter().toSeconds() + " s",
                                null);
                    }
                    wait = e.retryAfter.compareTo(wait) > 0 ? e.retryAfter : wait;
                }
            }
            try {
                Thread.sleep(wait.toMillis());
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new FetchException(FetchException.Kind.INTERRUPTED, url.toString(), -1, attempt,
                        "interrupted while backing off", ie);
            }
        }
    }

    private byte[] fetchFollowingRedirects(HttpUrl url, int maxBytes, int attempt)
            throws FetchException, RetryableException {
        HttpUrl current = url;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            Request request = new Request.Builder().url(current).get().build();
            requests.incrementAndGet();
            try (Response response = http.newCall(request).execute()) {
                int code = response.code();
                if (response.isRedirect()) {
                    String location = response.header("Location");
                    HttpUrl next = location == null ? null : current.resolve(location);
                    if (next == null) {
                        throw new FetchException(FetchException.Kind.REDIRECT_REFUSED, url.toString(), code, attempt,
                                "redirect without a usable Location", null);
                    }
                    if (!next.scheme().equals(url.scheme()) || !next.host().equals(url.host()) || next.port() != url.port()) {
                        throw new FetchException(FetchException.Kind.REDIRECT_REFUSED, url.toString(), code, attempt,
                                "refusing redirect to another origin: " + next, null);
                    }
                    current = next;
                    continue;
                }
                if (code == 200) {
                    byte[] body = readCapped(response.body(), maxBytes, current);
                    bytesFetched.addAndGet(body.length);
                    return body;
                }
                if (code == 404 || code == 410) {
                    throw new FetchException(FetchException.Kind.NOT_FOUND, url.toString(), code, attempt,
                            "not found (HTTP " + code + ")", null);
                }
                if (code == 429 || code >= 500) {
                    throw new RetryableException(url, code, "HTTP " + code, retryAfter(response), null);
                }
                throw new FetchException(FetchException.Kind.HTTP_STATUS, url.toString(), code, attempt,
                        "unexpected HTTP " + code, null);
            } catch (SocketTimeoutException e) {
                throw new RetryableException(url, -1, "timed out: " + e.getMessage(), null, e);
            } catch (InterruptedIOException e) {
                // OkHttp reports its call timeout as an InterruptedIOException; a real interrupt is not retried.
                if (Thread.currentThread().isInterrupted()) {
                    throw new FetchException(FetchException.Kind.INTERRUPTED, url.toString(), -1, attempt,
                            "interrupted", e);
                }
                throw new RetryableException(url, -1, "timed out: " + e.getMessage(), null, e);
            } catch (FetchException e) {
                throw e;
            } catch (IOException e) {
                throw new RetryableException(url, -1, "network error: " + e, null, e);
            }
        }
        throw new FetchException(FetchException.Kind.REDIRECT_REFUSED, url.toString(), -1, attempt,
                "more than " + MAX_REDIRECTS + " redirects", null);
    }

    private static byte[] readCapped(ResponseBody body, int maxBytes, HttpUrl url) throws IOException {
        long declared = body.contentLength();
        if (declared > maxBytes) {
            throw new FetchException(FetchException.Kind.TOO_LARGE, url.toString(), 200, 1,
                    "response declares " + declared + " bytes, more than the limit of " + maxBytes, null);
        }
        BufferedSource source = body.source();
        Buffer buffer = new Buffer();
        long total = 0;
        while (true) {
            long read = source.read(buffer, 8192);
            if (read == -1) {
                break;
            }
            total += read;
            if (total > maxBytes) {
                throw new FetchException(FetchException.Kind.TOO_LARGE, url.toString(), 200, 1,
                        "response is longer than the limit of " + maxBytes + " bytes", null);
            }
        }
        return buffer.readByteArray();
    }

    private Duration backoff(int attempt) {
        long base = config.initialBackoff().toMillis() << Math.min(attempt - 1, 20);
        long capped = Math.min(base, config.maxBackoff().toMillis());
        // Full jitter: spreads retries of many clients over the whole window.
        return Duration.ofMillis(ThreadLocalRandom.current().nextLong(capped / 2, capped + 1));
    }

    static Duration retryAfter(Response response) {
        String value = response.header("Retry-After");
        if (value == null) {
            return null;
        }
        String v = value.strip();
        if (v.matches("[0-9]{1,9}")) {
            return Duration.ofSeconds(Long.parseLong(v));
        }
        try {
            ZonedDateTime when = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
            Duration d = Duration.between(ZonedDateTime.now(when.getZone()), when);
            return d.isNegative() ? Duration.ZERO : d;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
        http.connectionPool().evictAll();
    }

    /** A failure worth another attempt; becomes a {@link FetchException} when attempts run out. */
    private static final class RetryableException extends Exception {
        final HttpUrl url;
        final int status;
        final Duration retryAfter;

        RetryableException(HttpUrl url, int status, String message, Duration retryAfter, Throwable cause) {
            super(message, cause);
            this.url = url;
            this.status = status;
            this.retryAfter = retryAfter;
        }

        FetchException finalFailure(int attempts) {
            FetchException.Kind kind = status > 0 ? FetchException.Kind.HTTP_STATUS
                    : getMessage().startsWith("timed out") ? FetchException.Kind.TIMEOUT : FetchException.Kind.NETWORK;
            return new FetchException(kind, url.toString(), status, attempts, getMessage(), getCause());
        }
    }
}
