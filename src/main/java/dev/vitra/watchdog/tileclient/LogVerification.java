package dev.vitra.watchdog.tileclient;

import dev.vitra.watchdog.merkle.ConsistencyProof;
import dev.vitra.watchdog.note.MalformedNoteException;
import dev.vitra.watchdog.note.NoteVerificationException;
import dev.vitra.watchdog.note.SignedCheckpoint;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The whole check behind {@code log verify}: the latest checkpoint's signature, every entry it commits to, and
 * optionally its consistency with an older checkpoint of the same log.
 */
public final class LogVerification {
    /** Told how many entries are proven so far. */
    @FunctionalInterface
    public interface Progress {
        void entriesVerified(long done, long total);
    }

    public record Result(SignedCheckpoint checkpoint, long entriesVerified, Optional<ConsistencyProof> consistency) {
    }

    private LogVerification() {
    }

    public static Result run(LogReader reader, Optional<byte[]> sinceCheckpoint, Progress progress)
            throws FetchException, MalformedNoteException, NoteVerificationException, LogVerificationException,
            InterruptedException {
        Optional<SignedCheckpoint> since = Optional.empty();
        if (sinceCheckpoint.isPresent()) {
            since = Optional.of(reader.open(sinceCheckpoint.get()));
        }
        SignedCheckpoint latest = reader.latestCheckpoint();
        Optional<ConsistencyProof> proof = Optional.empty();
        if (since.isPresent()) {
            proof = Optional.of(reader.proveConsistency(since.get(), latest));
        }
        long total = latest.size();
        AtomicLong done = new AtomicLong();
        progress.entriesVerified(0, total);
        reader.readEntries(latest, 0, total, (index, entry) -> {
            long d = done.incrementAndGet();
            if ((d & 0xFFF) == 0 || d == total) {
                progress.entriesVerified(d, total);
            }
        });
        return new Result(latest, done.get(), proof);
    }
}
