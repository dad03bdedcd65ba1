package dev.vitra.watchdog.tileclient;

import java.time.Duration;

/**
 * Bounds for talking to an untrusted log server.
 *
 * @param connectTimeout    TCP connect timeout
 * @param readTimeout       longest silence while reading a response
 * @param callTimeout       longest single request, start to last byte (an endlessly trickling body ends here)
 * @param maxCheckpointBytes cap on a checkpoint response
 * @param maxBundleBytes    cap on an entry bundle (256 entries of at most 65,535 bytes each fit in the default)
 * @param maxAttempts       attempts per resource, the first included
 * @param initialBackoff    backoff before the second attempt; doubles each time, with jitter
 * @param maxBackoff        cap on one backoff
 * @param maxRetryAfter     longest {@code Retry-After} honoured; a server asking for more fails the fetch
 * @param parallelism       concurrent requests per client
 * @param observer          told how each resource fetch ended (metrics); the default does nothing
 */
public record TileClientConfig(Duration connectTimeout, Duration readTimeout, Duration callTimeout,
        int maxCheckpointBytes, int maxBundleBytes, int maxAttempts, Duration initialBackoff, Duration maxBackoff,
        Duration maxRetryAfter, int parallelism, FetchObserver observer) {

    public TileClientConfig {
        if (maxAttempts < 1 || parallelism < 1 || maxCheckpointBytes < 1 || maxBundleBytes < 1) {
            throw new IllegalArgumentException("attempts, parallelism and size caps must be positive");
        }
    }

    public static TileClientConfig defaults() {
        return new TileClientConfig(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(2),
                1 << 20, 256 * (2 + 0xFFFF), 5, Duration.ofMillis(250), Duration.ofSeconds(20),
                Duration.ofSeconds(60), 8, FetchObserver.NONE);
    }

    public TileClientConfig withParallelism(int n) {
        return new TileClientConfig(connectTimeout, readTimeout, callTimeout, maxCheckpointBytes, maxBundleBytes,
                maxAttempts, initialBackoff, maxBackoff, maxRetryAfter, n, observer);
    }

    public TileClientConfig withRetries(int attempts, Duration initial, Duration max, Duration maxRetryAfter) {
        return new TileClientConfig(connectTimeout, readTimeout, callTimeout, maxCheckpointBytes, maxBundleBytes,
                attempts, initial, max, maxRetryAfter, parallelism, observer);
    }

    public TileClientConfig withTimeouts(Duration connect, Duration read, Duration call) {
        return new TileClientConfig(connect, read, call, maxCheckpointBytes, maxBundleBytes, maxAttempts,
                initialBackoff, maxBackoff, maxRetryAfter, parallelism, observer);
    }

    public TileClientConfig withSizeCaps(int checkpointBytes, int bundleBytes) {
        return new TileClientConfig(connectTimeout, readTimeout, callTimeout, checkpointBytes, bundleBytes,
                maxAttempts, initialBackoff, maxBackoff, maxRetryAfter, parallelism, observer);
    }

    public TileClientConfig withObserver(FetchObserver o) {
        return new TileClientConfig(connectTimeout, readTimeout, callTimeout, maxCheckpointBytes, maxBundleBytes,
                maxAttempts, initialBackoff, maxBackoff, maxRetryAfter, parallelism, o);
    }
}
