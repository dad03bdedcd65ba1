package dev.vitra.watchdog.audit;

import dev.vitra.watchdog.tileclient.TileClientConfig;
import java.time.Duration;

/**
 * How a pass behaves.
 *
 * @param pendingDeadline   how long something may stay pending (from when the watchdog first saw it) before it is an
 *                          availability finding; also the censorship deadline for published, unprocessed ops
 * @param chunkTransactions commit at least every this many verified transactions
 * @param chunkInterval     and at least this often
 * @param maxWindowBytes    the most bytes of one transaction's changes held to compare them (our limit)
 * @param maxGrowth         the most entries one sync grows a log's verified tree by (32 bytes of tiles each)
 * @param http              bounds for every log server
 */
public record AuditSettings(Duration pendingDeadline, int chunkTransactions, Duration chunkInterval, long maxWindowBytes,
        long maxGrowth, TileClientConfig http) {
    /** 2^26 entries: 2 GiB of level-0 tiles to fetch and check in one sync. */
    public static final long DEFAULT_MAX_GROWTH = 1L << 26;

    public AuditSettings {
        if (pendingDeadline.isNegative() || chunkTransactions < 1 || chunkInterval.isNegative() || maxWindowBytes < 1
                || maxGrowth < 1) {
            throw new IllegalArgumentException("audit settings must be positive");
        }
    }

    public static AuditSettings defaults() {
        return new AuditSettings(Duration.ofHours(1), 1000, Duration.ofSeconds(2), 64L << 20, DEFAULT_MAX_GROWTH,
                TileClientConfig.defaults());
    }

    public AuditSettings withPendingDeadline(Duration d) {
        return new AuditSettings(d, chunkTransactions, chunkInterval, maxWindowBytes, maxGrowth, http);
    }

    public AuditSettings withChunks(int transactions, Duration interval) {
        return new AuditSettings(pendingDeadline, transactions, interval, maxWindowBytes, maxGrowth, http);
    }

    public AuditSettings withMaxGrowth(long entries) {
        return new AuditSettings(pendingDeadline, chunkTransactions, chunkInterval, maxWindowBytes, entries, http);
    }

    public AuditSettings withHttp(TileClientConfig config) {
        return new AuditSettings(pendingDeadline, chunkTransactions, chunkInterval, maxWindowBytes, maxGrowth, config);
    }
}
