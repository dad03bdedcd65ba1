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
 * @param http              bounds for every log server
 */
public record AuditSettings(Duration pendingDeadline, int chunkTransactions, Duration chunkInterval, long maxWindowBytes,
        TileClientConfig http) {
    public AuditSettings {
        if (pendingDeadline.isNegative() || chunkTransactions < 1 || chunkInterval.isNegative() || maxWindowBytes < 1) {
            throw new IllegalArgumentException("audit settings must be positive");
        }
    }

    public static AuditSettings defaults() {
        return new AuditSettings(Duration.ofHours(1), 1000, Duration.ofSeconds(2), 64L << 20, TileClientConfig.defaults());
    }

    public AuditSettings withPendingDeadline(Duration d) {
        return new AuditSettings(d, chunkTransactions, chunkInterval, maxWindowBytes, http);
    }

    public AuditSettings withChunks(int transactions, Duration interval) {
        return new AuditSettings(pendingDeadline, transactions, interval, maxWindowBytes, http);
    }

    public AuditSettings withHttp(TileClientConfig config) {
        return new AuditSettings(pendingDeadline, chunkTransactions, chunkInterval, maxWindowBytes, config);
    }
}
