package dev.vitra.watchdog.audit;

import dev.vitra.watchdog.evidence.ForkEvidence;
import dev.vitra.watchdog.merkle.Hash;
import dev.vitra.watchdog.merkle.NodeSource;
import dev.vitra.watchdog.merkle.NodeUnavailableException;
import dev.vitra.watchdog.merkle.PrefixCheck;
import dev.vitra.watchdog.merkle.ProofBuilder;
import dev.vitra.watchdog.merkle.TreeHasher;
import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.note.MalformedNoteException;
import dev.vitra.watchdog.note.NoteVerificationException;
import dev.vitra.watchdog.note.SignedCheckpoint;
import dev.vitra.watchdog.store.Rows;
import dev.vitra.watchdog.store.StoreSession;
import dev.vitra.watchdog.tileclient.FetchException;
import dev.vitra.watchdog.tileclient.TileClient;
import dev.vitra.watchdog.tiles.TileFormatException;
import dev.vitra.watchdog.tiles.TiledTree;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Keeps one log's verified checkpoint and mirror up to date (PROTOCOL §5.1–5.3): fetch the checkpoint, check its
 * signature and origin, order it against the stored one by size, and either grow the mirror to it (only if the
 * tiles reproduce its signed root), or report the stale checkpoint, the fork, or what could not be verified.
 * Every checkpoint whose signature verifies is stored byte for byte, whatever it turns out to be.
 */
final class LogFollower {
    private final StoreSession session;
    private final Clock clock;
    private final long maxGrowth;
    private final java.util.function.Consumer<String> progress;

    /**
     * @param maxGrowth the most entries one sync grows a log's tree by (our limit: a log that grew by more is an
     *                  availability finding, not hours of silent downloading)
     */
    LogFollower(StoreSession session, Clock clock, long maxGrowth, java.util.function.Consumer<String> progress) {
        this.session = session;
        this.clock = clock;
        this.maxGrowth = maxGrowth;
        this.progress = progress;
    }

    /** What a sync concluded. */
    sealed interface Outcome {
        /** The served checkpoint is verified and the mirror holds its tree ({@code log} is the updated row). */
        record Verified(Rows.Log log, SignedCheckpoint checkpoint, long previousSize) implements Outcome {
        }

        /** The served checkpoint and the stored one cannot both be true. */
        record Forked(ForkEvidence fork, SignedCheckpoint served) implements Outcome {
        }

        /** The served checkpoint is older than the stored one, and consistent with it. */
        record Stale(SignedCheckpoint served, SignedCheckpoint stored) implements Outcome {
        }

        /** Nothing could be concluded: what failed, and where. */
        record Unverifiable(AvailabilityCode code, String resource, String problem) implements Outcome {
        }
    }

    /** The stored verified checkpoint of a log, re-opened with the log's key. */
    Optional<SignedCheckpoint> verified(Rows.Log log) {
        if (log.verifiedCheckpointId().isEmpty()) {
            return Optional.empty();
        }
        Rows.Checkpoint row = session.checkpoint(log.verifiedCheckpointId().getAsLong()).orElseThrow(
                () -> new IllegalStateException("verified checkpoint " + log.verifiedCheckpointId() + " is missing"));
        try {
            return Optional.of(SignedCheckpoint.open(row.note(), log.logId().origin(), List.of(log.logId().verifierKey())));
        } catch (MalformedNoteException | NoteVerificationException e) {
            throw new IllegalStateException("stored checkpoint " + row.id() + " of " + log.logId() + " no longer verifies", e);
        }
    }

    /** Syncs one log; commits what it verified, and only that. The session must have nothing uncommitted. */
    Outcome sync(Rows.Log log, TileClient client) throws InterruptedException {
        return sync(log, client, java.util.Optional.empty());
    }

    /**
     * Syncs one log to {@code pinned} (a signed note given by the caller, e.g. a proof's checkpoint) instead of the
     * checkpoint the server serves now; tiles still come from the server and are checked against it.
     */
    Outcome sync(Rows.Log log, TileClient client, java.util.Optional<String> pinned) throws InterruptedException {
        LogId id = log.logId();
        String checkpointUrl = pinned.isPresent() ? "(pinned checkpoint)" : client.prefix() + "/checkpoint";
        SignedCheckpoint served;
        try {
            byte[] note = pinned.isPresent() ? pinned.get().getBytes(java.nio.charset.StandardCharsets.UTF_8)
                    : client.fetchCheckpoint();
            served = SignedCheckpoint.open(note, id.origin(), List.of(id.verifierKey()));
        } catch (FetchException e) {
            return new Outcome.Unverifiable(AvailabilityCode.LogUnreachable, checkpointUrl, e.getMessage());
        } catch (MalformedNoteException e) {
            return new Outcome.Unverifiable(AvailabilityCode.CheckpointInvalid, checkpointUrl, "malformed: " + e.getMessage());
        } catch (NoteVerificationException e) {
            return new Outcome.Unverifiable(e.kind() == NoteVerificationException.Kind.WRONG_ORIGIN
                    ? AvailabilityCode.WrongOrigin : AvailabilityCode.CheckpointInvalid, checkpointUrl, e.getMessage());
        }
        long servedId = session.recordCheckpoint(log.dbId(), id, served, checkpointUrl, clock.millis());
        session.commit();

        Optional<SignedCheckpoint> stored = verified(log);
        long m = stored.map(SignedCheckpoint::size).orElse(0L);
        Hash a = stored.map(c -> c.checkpoint().root()).orElse(TreeHasher.EMPTY_ROOT);
        long n = served.size();
        Hash b = served.checkpoint().root();
        Mirror mirror = new Mirror(session, log.dbId(), id);
        try {
            if (n == m && stored.isPresent()) {
                if (a.equals(b)) {
                    return verifiedAt(log, servedId, served, m);
                }
                return forked(id, stored.get(), served, b, new dev.vitra.watchdog.merkle.ConsistencyProof(m, n, List.of()));
            }
            if (n < m) {
                // A rollback: our own copy of the larger tree decides (the server may no longer serve it).
                PrefixCheck.Result r = PrefixCheck.check(n, b, m, a, mirror.tree(m));
                return switch (r) {
                    case PrefixCheck.Result.Consistent c -> new Outcome.Stale(served, stored.get());
                    case PrefixCheck.Result.Inconsistent i -> new Outcome.Forked(
                            new ForkEvidence(id, served, stored.get(), i.prefixRoot(), i.proof()), served);
                    case PrefixCheck.Result.NodesDoNotMatch d -> throw new IllegalStateException("the mirror of " + id
                            + " does not reproduce its own verified root: " + d.failure().getMessage());
                };
            }
            if (n == 0) {
                // The first checkpoint of an empty log: nothing to grow, but its root must be the empty tree's.
                return b.equals(TreeHasher.EMPTY_ROOT) ? verifiedAt(log, servedId, served, 0)
                        : new Outcome.Unverifiable(AvailabilityCode.CheckpointInvalid, checkpointUrl,
                                "a checkpoint of size 0 with a root other than the empty tree's");
            }
            if (n - m > maxGrowth) {
                return new Outcome.Unverifiable(AvailabilityCode.GrowthTooLarge, checkpointUrl, "the log grew by " + (n - m)
                        + " entries (to size " + n + ") since the verified checkpoint, more than this monitor verifies in one"
                        + " sync (" + maxGrowth + "; --max-growth)");
            }
            Mirror.Growth growth = mirror.grow(client, m, n, b,
                    done -> progress.accept(id.hex() + ": verifying tiles, " + done + " of " + n + " entries"));
            if (growth instanceof Mirror.Growth.Grown g && g.root().equals(b)) {
                Rows.Log updated = log.withVerified(servedId, n);
                session.saveLog(updated);
                session.commit();
                return new Outcome.Verified(updated, served, m);
            }
            session.rollback();
            return diagnose(id, stored, served, client, m, growth);
        } catch (FetchException e) {
            session.rollback();
            return new Outcome.Unverifiable(AvailabilityCode.TilesUnavailable, e.url(), e.getMessage());
        } catch (TileFormatException e) {
            session.rollback();
            return new Outcome.Unverifiable(AvailabilityCode.TilesMismatch, client.prefix() + "/tile/", e.getMessage());
        } catch (NodeUnavailableException | IOException e) {
            session.rollback();
            if (e.getCause() instanceof FetchException f) {
                return new Outcome.Unverifiable(AvailabilityCode.TilesUnavailable, f.url(), f.getMessage());
            }
            throw new IllegalStateException("the mirror of " + id + " is incomplete: " + e.getMessage(), e);
        }
    }

    /**
     * Compares another server's view of a log (say the executor's copy of an oplog the configuration fetches from the
     * participant's own server) with the verified one, without adopting it: a fork between the two views is a fork,
     * whoever serves them. Anything that cannot be verified about the other view (not served, bad signature, corrupt
     * tiles) proves nothing and is ignored. Commits the other view's checkpoint when its signature verifies.
     */
    Optional<Outcome.Forked> crossCheck(Rows.Log log, TileClient other) throws InterruptedException {
        LogId id = log.logId();
        Optional<SignedCheckpoint> stored = verified(log);
        if (stored.isEmpty()) {
            return Optional.empty();
        }
        SignedCheckpoint seen;
        try {
            seen = SignedCheckpoint.open(other.fetchCheckpoint(), id.origin(), List.of(id.verifierKey()));
        } catch (FetchException | MalformedNoteException | NoteVerificationException e) {
            return Optional.empty();
        }
        session.recordCheckpoint(log.dbId(), id, seen, other.prefix() + "/checkpoint", clock.millis());
        session.commit();
        long m = stored.get().size();
        long n = seen.size();
        Hash a = stored.get().checkpoint().root();
        Hash b = seen.checkpoint().root();
        try {
            if (n == m) {
                return a.equals(b) ? Optional.empty() : Optional.of(new Outcome.Forked(new ForkEvidence(id, stored.get(),
                        seen, b, new dev.vitra.watchdog.merkle.ConsistencyProof(m, n, List.of())), seen));
            }
            PrefixCheck.Result r = n < m
                    ? PrefixCheck.check(n, b, m, a, new Mirror(session, log.dbId(), id).tree(m))
                    : PrefixCheck.check(m, a, n, b, new TiledTree(other, n));
            if (r instanceof PrefixCheck.Result.Inconsistent i) {
                return Optional.of(new Outcome.Forked(n < m ? new ForkEvidence(id, seen, stored.get(), i.prefixRoot(), i.proof())
                        : new ForkEvidence(id, stored.get(), seen, i.prefixRoot(), i.proof()), seen));
            }
            return Optional.empty();
        } catch (NodeUnavailableException e) {
            return Optional.empty();
        }
    }

    /**
     * Compares every stored checkpoint of the log that the verified tree now covers and that was not compared yet:
     * any two signed checkpoints of a log must agree, including one whose tiles were withheld or corrupt when it was
     * served, or one stored just before a crash. Returns the first fork found; commits.
     */
    Optional<Outcome.Forked> checkStored(Rows.Log log, TileClient client) throws InterruptedException {
        Optional<SignedCheckpoint> verified = verified(log);
        if (verified.isEmpty()) {
            return Optional.empty();
        }
        LogId id = log.logId();
        long n = verified.get().size();
        Hash b = verified.get().checkpoint().root();
        // Larger ones first, from the server's tiles of their size if it still serves them (else later).
        for (Rows.Checkpoint c : session.uncheckedCheckpoints(log.dbId(), id, Long.MAX_VALUE)) {
            if (c.treeSize() <= n) {
                continue;
            }
            SignedCheckpoint other = open(log, c);
            try {
                if (PrefixCheck.check(n, b, c.treeSize(), other.checkpoint().root(), new TiledTree(client, c.treeSize()))
                        instanceof PrefixCheck.Result.Inconsistent i) {
                    session.markChecked(c.id());
                    session.commit();
                    return Optional.of(new Outcome.Forked(new ForkEvidence(id, verified.get(), other, i.prefixRoot(),
                            i.proof()), other));
                }
            } catch (NodeUnavailableException e) {
                // Not served (any more): it is compared once the verified tree covers it.
            }
        }
        TiledTree tree = null;
        try {
            for (Rows.Checkpoint c : session.uncheckedCheckpoints(log.dbId(), id, n)) {
                SignedCheckpoint other = open(log, c);
                PrefixCheck.Result r;
                if (c.treeSize() == n) {
                    r = other.checkpoint().root().equals(b) ? null
                            : new PrefixCheck.Result.Inconsistent(b, new dev.vitra.watchdog.merkle.ConsistencyProof(n, n, List.of()));
                } else {
                    tree = tree == null ? new Mirror(session, log.dbId(), id).tree(n) : tree;
                    r = PrefixCheck.check(c.treeSize(), other.checkpoint().root(), n, b, tree);
                }
                session.markChecked(c.id());
                if (r instanceof PrefixCheck.Result.Inconsistent i) {
                    session.commit();
                    return Optional.of(new Outcome.Forked(new ForkEvidence(id, other, verified.get(), i.prefixRoot(), i.proof()),
                            other));
                }
                if (r instanceof PrefixCheck.Result.NodesDoNotMatch d) {
                    throw new IllegalStateException("the mirror of " + id + " does not reproduce its own verified root: "
                            + d.failure().getMessage());
                }
            }
        } catch (NodeUnavailableException e) {
            throw new IllegalStateException("the mirror of " + id + " is incomplete: " + e.getMessage(), e);
        }
        session.commit();
        return Optional.empty();
    }

    /**
     * Replaces the log's tree with {@code version} (an operator resolving a fork): its whole tree is read from the
     * server again and must hash to its signed root; only then, in one transaction, does the mirror change. Returns
     * what went wrong, if anything; then nothing changed.
     */
    Optional<String> adopt(Rows.Log log, SignedCheckpoint version, TileClient client) throws InterruptedException {
        LogId id = log.logId();
        try {
            session.deleteTiles(log.dbId(), id);
            if (version.size() > 0) {
                Mirror.Growth growth = new Mirror(session, log.dbId(), id).grow(client, 0, version.size(),
                        version.checkpoint().root(), done -> progress.accept(id.hex() + ": verifying tiles, " + done + " of "
                                + version.size() + " entries"));
                if (!(growth instanceof Mirror.Growth.Grown g) || !g.root().equals(version.checkpoint().root())) {
                    session.rollback();
                    return Optional.of("the tiles served for size " + version.size() + " do not hash to its signed root");
                }
            }
            return Optional.empty(); // the caller commits with the rest of the resolution
        } catch (FetchException | TileFormatException e) {
            session.rollback();
            return Optional.of(e.getMessage());
        } catch (IOException e) {
            session.rollback();
            return Optional.of(e.getMessage());
        }
    }

    /** A stored checkpoint of the log, re-opened with the log's key. */
    SignedCheckpoint openStored(Rows.Log log, Rows.Checkpoint c) {
        return open(log, c);
    }

    private static SignedCheckpoint open(Rows.Log log, Rows.Checkpoint c) {
        try {
            return SignedCheckpoint.open(c.note(), log.logId().origin(), List.of(log.logId().verifierKey()));
        } catch (MalformedNoteException | NoteVerificationException e) {
            throw new IllegalStateException("stored checkpoint " + c.id() + " of " + log.logId() + " no longer verifies", e);
        }
    }

    private Outcome verifiedAt(Rows.Log log, long servedId, SignedCheckpoint served, long previousSize) {
        Rows.Log updated = log.withVerified(servedId, served.size());
        session.saveLog(updated);
        session.commit();
        return new Outcome.Verified(updated, served, previousSize);
    }

    private static Outcome forked(LogId id, SignedCheckpoint smaller, SignedCheckpoint larger, Hash prefixRoot,
            dev.vitra.watchdog.merkle.ConsistencyProof proof) {
        return new Outcome.Forked(new ForkEvidence(id, smaller, larger, prefixRoot, proof), larger);
    }

    /**
     * The server's level-0 tiles did not lead to its signed root. Its own tree decides between a fork (its tiles
     * prove a size-m prefix other than ours, and reach its signed root) and corrupt or inconsistent tiles.
     */
    private Outcome diagnose(LogId id, Optional<SignedCheckpoint> stored, SignedCheckpoint served, TileClient client,
            long m, Mirror.Growth growth) throws InterruptedException {
        long n = served.size();
        String tiles = client.prefix() + "/tile/0/ (size " + n + ")";
        if (stored.isEmpty()) {
            return new Outcome.Unverifiable(AvailabilityCode.TilesMismatch, tiles,
                    "the level-0 tiles served for size " + n + " do not hash to its signed root");
        }
        try {
            PrefixCheck.Result r = PrefixCheck.check(m, stored.get().checkpoint().root(), n, served.checkpoint().root(),
                    new TiledTree(client, n));
            return switch (r) {
                case PrefixCheck.Result.Inconsistent i -> new Outcome.Forked(
                        new ForkEvidence(id, stored.get(), served, i.prefixRoot(), i.proof()), served);
                case PrefixCheck.Result.Consistent c -> new Outcome.Unverifiable(AvailabilityCode.TilesMismatch, tiles,
                        switch (growth) {
                            case Mirror.Growth.Diverged d -> "the level-0 tile holding entry " + d.index()
                                    + " disagrees with the verified tree";
                            case Mirror.Growth.BadTile bad -> client.prefix() + "/" + bad.path() + ": " + bad.problem();
                            case Mirror.Growth.Grown g -> "the level-0 tiles served for size " + n
                                    + " do not hash to its signed root, though its higher tiles do";
                        });
                case PrefixCheck.Result.NodesDoNotMatch d -> new Outcome.Unverifiable(AvailabilityCode.TilesMismatch,
                        client.prefix() + "/tile/ (size " + n + ")", "the tiles served for size " + n
                                + " do not reproduce its signed root: " + d.failure().getMessage());
            };
        } catch (NodeUnavailableException e) {
            return new Outcome.Unverifiable(e.getCause() instanceof FetchException ? AvailabilityCode.TilesUnavailable
                    : AvailabilityCode.TilesMismatch, tiles, e.getMessage());
        }
    }

    /**
     * How many first entries the stored tree provably shares with a forked version of the log: the largest s
     * whose size-s prefix of ours is, by the fork's own tiles, a prefix of the fork's signed tree. A lower bound
     * when the fork's tiles cannot be read (at worst 0).
     */
    long sharedPrefix(Rows.Log log, ForkEvidence fork, SignedCheckpoint forkCheckpoint, TileClient client) {
        long ours = log.verifiedSize();
        long theirs = forkCheckpoint.size();
        long lo = 0;
        long hi = Math.min(ours, theirs) - 1;
        if (hi <= 0) {
            return 0;
        }
        Mirror mirror = new Mirror(session, log.dbId(), log.logId());
        NodeSource ourTree = mirror.tree(ours);
        TiledTree theirTree = new TiledTree(client, theirs);
        Hash theirRoot = forkCheckpoint.checkpoint().root();
        while (lo < hi) {
            long mid = lo + (hi - lo + 1) / 2;
            try {
                Hash ourPrefix = new ProofBuilder(ourTree, mid).root();
                if (PrefixCheck.check(mid, ourPrefix, theirs, theirRoot, theirTree) instanceof PrefixCheck.Result.Consistent) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            } catch (NodeUnavailableException e) {
                return lo; // proven so far
            }
        }
        return lo;
    }
}
