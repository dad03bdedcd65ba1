package dev.vitra.watchdog.store;

import dev.vitra.watchdog.note.LogId;
import java.util.OptionalLong;

/** The store's rows, as values. */
public final class Rows {
    private Rows() {
    }

    public enum DatabaseStatus {
        /** Verifying transactions as they come. */
        AUDITING,
        /** A fraud was proven against the executor: no more transactions are replayed, logs are still checked for forks. */
        BREACHED,
        /** The index header names a protocol this monitor does not implement. */
        UNSUPPORTED
    }

    public enum LogRole {
        INDEX, OPLOG
    }

    /** An audited database. */
    public record Database(long id, LogId indexLog, String executorUrl, DatabaseStatus status, long nextPosition,
            boolean genesisSealed, long createdAt, OptionalLong lastPassAt) {
        public Database withProgress(long position, boolean sealed) {
            return new Database(id, indexLog, executorUrl, status, position, sealed, createdAt, lastPassAt);
        }

        public Database withStatus(DatabaseStatus s) {
            return new Database(id, indexLog, executorUrl, s, nextPosition, genesisSealed, createdAt, lastPassAt);
        }

        public Database withExecutorUrl(String url) {
            return new Database(id, indexLog, url, status, nextPosition, genesisSealed, createdAt, lastPassAt);
        }

        public Database withLastPassAt(long at) {
            return new Database(id, indexLog, executorUrl, status, nextPosition, genesisSealed, createdAt, OptionalLong.of(at));
        }
    }

    /**
     * A followed log. For oplogs, {@code nextSeq} and {@code active} are as of the database's next position.
     *
     * @param verifiedCheckpointId the checkpoint whose whole tree is in the mirror; empty before the first
     * @param forkFindingId        an open fork of this log
     * @param forkCheckpointId     the other version's checkpoint in that fork (what {@code --accept-fork} adopts)
     * @param forkSharedPrefix     for an oplog fork: how many first entries both versions provably share
     */
    public record Log(long dbId, LogId logId, LogRole role, OptionalLong verifiedCheckpointId, long verifiedSize,
            long nextSeq, boolean active, OptionalLong addedAt, OptionalLong forkFindingId, OptionalLong forkCheckpointId,
            OptionalLong forkSharedPrefix) {
        public static Log fresh(long dbId, LogId logId, LogRole role, OptionalLong addedAt) {
            return new Log(dbId, logId, role, OptionalLong.empty(), 0, 0, false, addedAt, OptionalLong.empty(),
                    OptionalLong.empty(), OptionalLong.empty());
        }

        public Log withVerified(long checkpointId, long size) {
            return new Log(dbId, logId, role, OptionalLong.of(checkpointId), size, nextSeq, active, addedAt, forkFindingId,
                    forkCheckpointId, forkSharedPrefix);
        }

        public Log withParticipation(long seq, boolean isActive) {
            return new Log(dbId, logId, role, verifiedCheckpointId, verifiedSize, seq, isActive, addedAt, forkFindingId,
                    forkCheckpointId, forkSharedPrefix);
        }

        public Log withFork(OptionalLong findingId, OptionalLong otherCheckpointId, OptionalLong sharedPrefix) {
            return new Log(dbId, logId, role, verifiedCheckpointId, verifiedSize, nextSeq, active, addedAt, findingId,
                    otherCheckpointId, sharedPrefix);
        }
    }

    /**
     * A checkpoint as received: the raw note, where and when it was first seen, and whether it was compared with the
     * verified tree yet.
     */
    public record Checkpoint(long id, LogId logId, long treeSize, byte[] rootHash, byte[] note, long firstSeenAt,
            String sourceUrl, boolean checked) {
    }

    /** A finding as stored; a fraud finding names its proof (the document itself: {@code StoreSession.proof}). */
    public record Finding(long id, long dbId, String kind, String code, java.util.Optional<LogId> log,
            OptionalLong atPosition, OptionalLong entryPosition, OptionalLong opSeq, String dedupKey, String summary,
            String factsJson,
            long firstSeenAt, long lastSeenAt, OptionalLong resolvedAt, java.util.Optional<String> proofId) {
        /**
         * Fraud about one of a database's oplogs (a fork of it) rather than its index: a participant's misbehaviour,
         * never the executor's (PROTOCOL §5).
         */
        public boolean isParticipantsFraud(LogId index) {
            return kind.equals("fraud") && log.isPresent() && !log.get().equals(index);
        }
    }

    /** One state entry: a path's value (JSON text) and the index position that wrote it. */
    public record StateEntry(String path, String valueJson, long writtenAt) {
    }

    /**
     * A notification in the outbox: about one finding, for one channel, one event (firing, repeat n, resolved).
     * Delivered once a channel accepted it; failed once its attempts ran out.
     */
    public record Alert(long id, long dbId, long findingId, String code, String incident, String channel, String monitor,
            String kind, String event,
            String dedupKey, String messageId, long createdAt, long nextAttemptAt, int attempts, OptionalLong deliveredAt,
            OptionalLong failedAt, java.util.Optional<String> lastError) {
    }
}
