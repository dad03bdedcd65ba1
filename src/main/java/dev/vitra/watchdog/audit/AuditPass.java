package dev.vitra.watchdog.audit;

import dev.vitra.watchdog.evidence.FraudCode;
import dev.vitra.watchdog.merkle.NodeUnavailableException;
import dev.vitra.watchdog.merkle.TreeHasher;
import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.note.SignedCheckpoint;
import dev.vitra.watchdog.store.Rows;
import dev.vitra.watchdog.store.Rows.DatabaseStatus;
import dev.vitra.watchdog.store.Rows.LogRole;
import dev.vitra.watchdog.store.StoreSession;
import dev.vitra.watchdog.tileclient.BundleStream;
import dev.vitra.watchdog.tileclient.FetchException;
import dev.vitra.watchdog.tileclient.TileClient;
import dev.vitra.watchdog.tiles.EntryBundleId;
import dev.vitra.watchdog.tiles.TileFormatException;
import dev.vitra.watchdog.tiles.TileLayout;
import dev.vitra.watchdog.tiles.TileResource;
import dev.vitra.watchdog.tiles.TiledTree;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One pass over one database, top to bottom: sync the index and every oplog that was ever a participant
 * ({@link LogFollower}), then feed the new index entries — each proven against the mirror of the verified index —
 * through the {@link IndexStateMachine}, committing in chunks; then deadlines, censorship and which findings
 * cleared. State contract (docs/audit.md): after any crash, the store holds the last committed chunk, in which
 * positions only ever moved forward over entries proven against a signed checkpoint.
 */
final class AuditPass implements OpLookup {
    private final StoreSession session;
    private final Replayer replayer;
    private final AuditSettings settings;
    private final Clock clock;
    private final AuditTarget target;
    private final Consumer<String> progress;
    private final LogFollower follower;

    private Rows.Database db;
    private final Map<LogId, Rows.Log> logs = new LinkedHashMap<>();
    private final Map<LogId, TileClient> clients = new HashMap<>();
    /** Logs synced this pass, and whether they verified. */
    private final Map<LogId, Boolean> synced = new HashMap<>();
    private final Map<String, Finding> observed = new LinkedHashMap<>();
    /** What this pass tells the operator beyond findings (options that did nothing, and why). */
    private final List<String> notes = new ArrayList<>();
    private final List<Rows.Finding> inserted = new ArrayList<>();
    private final Map<LogId, TiledTree> oplogTrees = new HashMap<>();
    private final Map<LogId, CachedBundle> oplogBundles = new HashMap<>();
    /** Each oplog's verified checkpoint as opened this pass, by the size it was verified at. */
    private final Map<LogId, SignedCheckpoint> oplogCheckpoints = new HashMap<>();

    private StateView state;
    private Participants participants;
    private IndexStateMachine machine;
    private long transactions;
    private boolean indexFullyProcessed;

    private record CachedBundle(long index, long treeSize, List<byte[]> entries) {
    }

    /** Asked at each chunk boundary: true when the pass should commit and stop early (the service is shutting down). */
    private final java.util.function.BooleanSupplier stopRequested;
    private boolean stoppedEarly;

    AuditPass(StoreSession session, Replayer replayer, AuditSettings settings, Clock clock, AuditTarget target,
            Consumer<String> progress, java.util.function.BooleanSupplier stopRequested) {
        this.stopRequested = stopRequested;
        this.session = session;
        this.replayer = replayer;
        this.settings = settings;
        this.clock = clock;
        this.target = target;
        this.progress = progress;
        this.follower = new LogFollower(session, clock, settings.maxGrowth(), progress);
    }

    PassReport run() throws InterruptedException {
        long t0 = System.nanoTime();
        try {
            openDatabase();
            acceptForks();
            Rows.Log index = logs.get(target.index());
            sync(index);
            for (Rows.Log log : List.copyOf(logs.values())) {
                if (log.role() == LogRole.OPLOG && !stopEarly()) {
                    sync(log);
                }
            }
            if (db.status() == DatabaseStatus.AUDITING && logs.get(target.index()).verifiedCheckpointId().isPresent()
                    && !stopEarly()) {
                processIndex();
            }
            if (stoppedEarly) {
                // Everything verified so far is committed; deadlines, censorship and cleared findings wait for a full pass.
                notes.add("stopped early at a chunk boundary (shutdown); the next pass resumes from here");
                return report(Duration.ofNanos(System.nanoTime() - t0));
            }
            // Oplogs that became participants during this pass and no ack needed yet: followed from now on.
            for (Rows.Log log : List.copyOf(logs.values())) {
                if (log.role() == LogRole.OPLOG && !synced.containsKey(log.logId())) {
                    sync(log);
                }
            }
            if (indexFullyProcessed && db.status() == DatabaseStatus.AUDITING) {
                checkCensorship();
            }
            resolveCleared();
            db = db.withLastPassAt(clock.millis());
            session.updateDatabase(db);
            session.commit();
            return report(Duration.ofNanos(System.nanoTime() - t0));
        } finally {
            clients.values().forEach(TileClient::close);
        }
    }

    private boolean stopEarly() {
        if (!stoppedEarly && stopRequested.getAsBoolean()) {
            stoppedEarly = true;
        }
        return stoppedEarly;
    }

    // ---- setup ----

    private void openDatabase() {
        db = session.database(target.index()).orElseGet(() -> {
            Rows.Database created = session.createDatabase(target.index(), target.executorUrl(), clock.millis());
            session.saveLog(Rows.Log.fresh(created.id(), target.index(), LogRole.INDEX, OptionalLong.empty()));
            session.commit();
            return created;
        });
        if (!db.executorUrl().equals(target.executorUrl())) {
            db = db.withExecutorUrl(target.executorUrl());
            session.updateDatabase(db);
            session.commit();
        }
        for (Rows.Log log : session.logs(db.id())) {
            logs.put(log.logId(), log);
        }
    }

    /**
     * The operator resolves an oplog fork by following the other version recorded in the fork finding (not whatever is
     * served now): that version's whole tree is read and verified again, and only then, in one transaction, replaces
     * ours. If it cannot be verified, nothing changes and the fork stays open.
     */
    private void acceptForks() throws InterruptedException {
        for (LogId oplog : target.acceptForks()) {
            Rows.Log log = logs.get(oplog);
            if (log == null || log.role() != LogRole.OPLOG || log.forkFindingId().isEmpty() || log.forkCheckpointId().isEmpty()) {
                notes.add("--accept-fork " + oplog.hex() + ": no open fork of an oplog with that id; nothing done");
                continue;
            }
            Rows.Checkpoint row = session.checkpoint(log.forkCheckpointId().getAsLong()).orElseThrow();
            SignedCheckpoint version = follower.openStored(log, row);
            Optional<String> problem = follower.adopt(log, version, client(oplog));
            if (problem.isPresent()) {
                notes.add("--accept-fork " + oplog.hex() + ": the forked version (size " + version.size()
                        + ") could not be verified, so nothing changed and the fork stays open: " + problem.get());
                continue;
            }
            session.resolveFinding(log.forkFindingId().getAsLong(), clock.millis());
            session.markAllChecked(db.id(), oplog); // the fork's two histories: resolved by the operator
            Rows.Log adopted = log.withVerified(row.id(), version.size())
                    .withFork(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty());
            session.saveLog(adopted);
            session.commit();
            logs.put(oplog, adopted);
            notes.add("--accept-fork " + oplog.hex() + ": fork resolved; following the version of checkpoint size "
                    + version.size());
        }
    }

    private TileClient client(LogId log) {
        return clients.computeIfAbsent(log, l -> new TileClient(target.prefixOf(l), settings.http()));
    }

    // ---- logs ----

    /** Syncs one log and records what it concluded; commits. */
    private LogFollower.Outcome sync(Rows.Log log) throws InterruptedException {
        LogId id = log.logId();
        if (!target.pinned().isEmpty() && !target.pinned().containsKey(id)) {
            // A replay of a proof uses exactly the checkpoints it names: a log it does not name stays unverified.
            synced.put(id, false);
            observe(new Finding.Availability(AvailabilityCode.LogUnreachable, Optional.of(id), OptionalLong.empty(),
                    OptionalLong.empty(), "no checkpoint of " + id.hex() + " is pinned, so it is not read",
                    Facts.builder().put("resource", "(pinned checkpoints)").build()));
            return new LogFollower.Outcome.Unverifiable(AvailabilityCode.LogUnreachable, "(pinned checkpoints)",
                    "not pinned");
        }
        LogFollower.Outcome outcome = follower.sync(log, client(log.logId()),
                Optional.ofNullable(target.pinned().get(log.logId())));
        if (outcome instanceof LogFollower.Outcome.Verified v && target.oplogBases().containsKey(id)) {
            // The oplog comes from another base, but the executor may serve its own copy: two signed views that
            // disagree are the participant's fork, whichever of them the executor processed.
            try (TileClient executorView = new TileClient(target.executorUrl() + "/logs/" + id.hex(), settings.http())) {
                Optional<LogFollower.Outcome.Forked> fork = follower.crossCheck(v.log(), executorView);
                if (fork.isPresent()) {
                    logs.put(id, v.log());
                    fork(v.log(), fork.get(), executorView);
                    synced.put(id, true);
                    session.commit();
                    return fork.get();
                }
            }
        }
        String role = log.role() == LogRole.INDEX ? "index" : "oplog";
        switch (outcome) {
            case LogFollower.Outcome.Verified v -> {
                logs.put(id, v.log());
                synced.put(id, true);
                if (v.checkpoint().size() != v.previousSize()) {
                    progress.accept(role + " " + id.hex() + ": verified size " + v.checkpoint().size() + " (was "
                            + v.previousSize() + ")");
                }
            }
            case LogFollower.Outcome.Forked f -> {
                synced.put(id, false);
                fork(log, f, client(id));
            }
            case LogFollower.Outcome.Stale s -> {
                synced.put(id, false);
                observe(new Finding.Availability(AvailabilityCode.StaleCheckpoint, Optional.of(id), OptionalLong.empty(),
                        OptionalLong.empty(), "the " + role + " " + id.hex() + " serves a checkpoint of size "
                                + s.served().size() + ", older than the verified size " + s.stored().size()
                                + " (a consistent prefix: stale, not forked)",
                        Facts.builder().put("storedSize", s.stored().size()).put("servedSize", s.served().size())
                                .put("served", s.served()).build()));
            }
            case LogFollower.Outcome.Unverifiable u -> {
                synced.put(id, false);
                observe(new Finding.Availability(u.code(), Optional.of(id), OptionalLong.empty(), OptionalLong.empty(),
                        "the " + role + " " + id.hex() + " could not be verified: " + u.problem(),
                        Facts.builder().put("resource", u.resource()).put("problem", u.problem()).build()));
            }
        }
        session.commit();
        Rows.Log current = logs.get(id);
        Optional<LogFollower.Outcome.Forked> stored = follower.checkStored(current, client(id));
        if (stored.isPresent()) {
            // A signed checkpoint stored earlier (its tiles withheld then, say) disagrees with the verified tree.
            fork(current, stored.get(), client(id));
            session.commit();
        }
        return outcome;
    }

    /** Records a fork of {@code log}; {@code forkServer} serves the forked version (its tiles give the shared prefix). */
    private void fork(Rows.Log log, LogFollower.Outcome.Forked f, TileClient forkServer) {
        LogId id = log.logId();
        if (log.forkFindingId().isPresent()) {
            session.touchFinding(log.forkFindingId().getAsLong(), clock.millis());
            return;
        }
        OptionalLong shared = OptionalLong.empty();
        if (log.role() == LogRole.OPLOG) {
            shared = OptionalLong.of(follower.sharedPrefix(log, f.fork(), f.served(), forkServer));
        }
        long otherVersion = session.recordCheckpoint(db.id(), id, f.served(), client(id).prefix() + "/checkpoint",
                clock.millis());
        FraudEvidence.Fork evidence = new FraudEvidence.Fork(f.fork());
        String who = log.role() == LogRole.INDEX ? "the executor's index log" : "oplog " + id.hex()
                + " (the participant's misbehaviour, not the executor's)";
        String sizes = f.fork().sameSize() ? "two checkpoints of size " + f.fork().larger().size() + " with different roots"
                : "checkpoints of size " + f.fork().smaller().size() + " and " + f.fork().larger().size()
                        + " that are inconsistent";
        Facts facts = Facts.builder().put("log", id).put("role", log.role().name().toLowerCase())
                .put("smaller", f.fork().smaller()).put("larger", f.fork().larger()).put("sharedPrefix", shared).build();
        Finding.Fraud finding = new Finding.Fraud(FraudCode.LogFork, id, OptionalLong.empty(), OptionalLong.empty(),
                "fork of " + who + ": " + sizes + (shared.isPresent() ? "; both versions share the first "
                        + shared.getAsLong() + " entries" : ""),
                facts, evidence);
        long findingId = observe(finding, Optional.of(ProofAssembler.fork(f.fork())));
        Rows.Log updated = log.withFork(OptionalLong.of(findingId), OptionalLong.of(otherVersion), shared);
        session.saveLog(updated);
        logs.put(id, updated);
        if (log.role() == LogRole.INDEX && db.status() == DatabaseStatus.AUDITING) {
            db = db.withStatus(DatabaseStatus.BREACHED);
            session.updateDatabase(db);
        }
    }

    // ---- the index ----

    private void processIndex() throws InterruptedException {
        Rows.Log indexLog = logs.get(target.index());
        SignedCheckpoint checkpoint = follower.verified(indexLog).orElseThrow();
        long size = checkpoint.size();
        state = new StateView(session, db.id());
        participants = new Participants();
        for (Rows.Log log : logs.values()) {
            if (log.role() == LogRole.OPLOG) {
                participants.load(new Participants.Participation(log.logId(), log.nextSeq(), log.active(), log.addedAt()));
            }
        }
        int maxChanges = replayer.maxChanges();
        machine = new IndexStateMachine(target.index(), state, participants, this, replayer, () -> checkpoint,
                new IndexStateMachine.Limits(maxChanges + 1, settings.maxWindowBytes()), db.nextPosition(),
                db.genesisSealed());
        long from = db.nextPosition();
        if (from >= size) {
            indexFullyProcessed = true;
            return;
        }
        progress.accept("index: verifying entries " + from + ".." + (size - 1));
        TiledTree tree = new Mirror(session, db.id(), target.index()).tree(size);
        TreeHasher hasher = new TreeHasher();
        long lastCommit = System.nanoTime();
        long sinceCommit = 0;
        long lastProgress = System.nanoTime();
        boolean stopped = false;
        try (BundleStream stream = new BundleStream(client(target.index()), from, size, size)) {
            reading:
            while (stream.hasNext()) {
                EntryBundleId bundle = stream.peek();
                List<byte[]> entries;
                try {
                    entries = stream.next();
                } catch (FetchException | TileFormatException e) {
                    entriesUnavailable(bundle, e.getMessage());
                    stopped = true;
                    break;
                }
                for (int i = 0; i < entries.size(); i++) {
                    long position = bundle.firstEntry() + i;
                    if (position < from) {
                        continue;
                    }
                    byte[] entry = entries.get(i);
                    try {
                        if (!hasher.leafHash(entry).equals(Mirror.leafHash(tree, position))) {
                            entriesUnavailable(bundle, "entry " + position + " does not hash to its leaf in the verified tree");
                            stopped = true;
                            break reading;
                        }
                    } catch (NodeUnavailableException e) {
                        throw new IllegalStateException("the mirror of the index lacks leaf " + position, e);
                    }
                    IndexStateMachine.Step step = machine.offer(position, entry);
                    switch (step) {
                        case IndexStateMachine.Step.NeedMore n -> {
                        }
                        case IndexStateMachine.Step.Verified v -> {
                            transactions += v.transaction() ? 1 : 0;
                            sinceCommit++;
                            v.findings().forEach(this::observe);
                            if (sinceCommit >= settings.chunkTransactions()
                                    || System.nanoTime() - lastCommit > settings.chunkInterval().toNanos()
                                    || state.uncommittedChanges() > 50_000) {
                                commitChunk();
                                lastCommit = System.nanoTime();
                                sinceCommit = 0;
                                if (stopEarly()) {
                                    stopped = true;
                                    break reading;
                                }
                            }
                        }
                        case IndexStateMachine.Step.Stopped s -> {
                            stop(s);
                            stopped = true;
                            break reading;
                        }
                    }
                    if (System.nanoTime() - lastProgress > 2_000_000_000L) {
                        lastProgress = System.nanoTime();
                        progress.accept("index: verified up to " + machine.verifiedPosition() + " of " + size + " ("
                                + transactions + " transactions this pass)");
                    }
                }
            }
        }
        if (!stopped) {
            Optional<IndexStateMachine.Step.Stopped> pending = machine.endOfEntries();
            if (pending.isPresent()) {
                stop(pending.get());
            }
            indexFullyProcessed = pending.isEmpty();
        }
        commitChunk();
    }

    private void entriesUnavailable(EntryBundleId bundle, String problem) {
        long at = machine.verifiedPosition();
        observe(new Finding.Availability(AvailabilityCode.EntriesUnavailable, Optional.of(target.index()), OptionalLong.of(at),
                OptionalLong.empty(), "index entries from " + at + " could not be verified: " + bundle.path() + ": " + problem,
                Facts.builder().put("resource", target.prefixOf(target.index()) + "/" + bundle.path()).put("problem", problem)
                        .build()));
    }

    /** The machine stopped: record why (and, past the deadline, that it has waited too long). */
    private void stop(IndexStateMachine.Step.Stopped s) throws InterruptedException {
        Optional<ProofAssembler.Assembled> proof = Optional.empty();
        if (s.finding() instanceof Finding.Fraud f && f.evidence() instanceof FraudEvidence.Breach breach) {
            try {
                proof = Optional.of(ProofAssembler.breach(breach, session, db.id(), client(target.index())));
            } catch (ProofAssembler.EvidenceUnavailableException e) {
                // No fraud is claimed without its proof; nothing of the transaction is applied, so the next pass
                // sees the breach again and tries once more.
                observe(new Finding.Availability(AvailabilityCode.EvidenceUnavailable, Optional.of(target.index()),
                        f.at(), OptionalLong.empty(), "a " + f.code() + " was seen at " + f.at().orElse(-1)
                                + ", but its proof could not be assembled: " + e.getMessage(),
                        Facts.builder().put("code", f.code()).put("resource", e.resource()).put("problem", e.getMessage())
                                .build()));
                return;
            }
        }
        long id = observe(s.finding(), proof);
        switch (s.finding()) {
            case Finding.Fraud f -> {
                db = db.withStatus(DatabaseStatus.BREACHED);
                progress.accept("FRAUD " + f.code() + " at " + f.at().orElse(-1) + ": " + f.summary()
                        + proof.map(p -> " (proof " + p.id() + ")").orElse(""));
            }
            case Finding.Availability a when a.availabilityCode() == AvailabilityCode.UnsupportedProtocol ->
                    db = db.withStatus(DatabaseStatus.UNSUPPORTED);
            case Finding.Pending p -> {
                Rows.Finding row = session.finding(id).orElseThrow();
                boolean late = clock.millis() - row.firstSeenAt() > settings.pendingDeadline().toMillis();
                AvailabilityCode code = switch (p.pendingCode()) {
                    case OpNotYetPublished -> AvailabilityCode.AckedOpNotPublished;
                    case TransactionNotYetComplete -> AvailabilityCode.TransactionIncomplete;
                    default -> null;
                };
                if (late && code != null) {
                    observe(new Finding.Availability(code, p.log(), p.at(), p.seq(), p.summary() + ", for longer than the"
                            + " deadline of " + settings.pendingDeadline(), p.facts()));
                }
            }
            default -> {
            }
        }
    }

    private void commitChunk() {
        db = db.withProgress(machine.verifiedPosition(), machine.sealed());
        state.writeTo(session);
        for (Participants.Participation p : participants.drainChanged()) {
            Rows.Log log = logs.get(p.oplog());
            Rows.Log updated = log == null ? Rows.Log.fresh(db.id(), p.oplog(), LogRole.OPLOG, p.addedAt())
                    .withParticipation(p.nextSeq(), p.active()) : log.withParticipation(p.nextSeq(), p.active());
            session.saveLog(updated);
            logs.put(p.oplog(), updated);
        }
        session.updateDatabase(db);
        session.commit();
    }

    // ---- ops (OpLookup) ----

    @Override
    public Result op(LogId oplog, long seq) throws InterruptedException {
        if (!synced.containsKey(oplog)) {
            // A participant this pass has not synced yet (added in genesis or by a transaction just verified).
            commitChunk();
            Rows.Log log = logs.get(oplog);
            if (log == null) {
                throw new IllegalStateException("op lookup for " + oplog + ", which is not a participant");
            }
            sync(log);
        }
        Rows.Log log = logs.get(oplog);
        if (log.forkFindingId().isPresent() && seq >= log.forkSharedPrefix().orElse(0)) {
            return new Result.BeyondForkedPrefix(log.forkSharedPrefix().orElse(0));
        }
        long size = log.verifiedSize();
        if (seq >= size) {
            return new Result.NotYetPublished(size);
        }
        SignedCheckpoint checkpoint = oplogCheckpoints.get(oplog);
        if (checkpoint == null || checkpoint.size() != size) {
            checkpoint = follower.verified(log).orElseThrow();
            oplogCheckpoints.put(oplog, checkpoint);
        }
        long bundleIndex = seq / TileResource.FULL_WIDTH;
        CachedBundle cached = oplogBundles.get(oplog);
        if (cached == null || cached.index() != bundleIndex || cached.treeSize() != size) {
            EntryBundleId bundle = TileLayout.bundle(bundleIndex, size);
            TiledTree tree = oplogTrees.get(oplog);
            if (tree == null || tree.treeSize() != size) {
                tree = new Mirror(session, db.id(), oplog).tree(size);
                oplogTrees.put(oplog, tree);
            }
            List<byte[]> entries;
            try (BundleStream stream = new BundleStream(client(oplog), List.of(bundle))) {
                entries = stream.next();
            } catch (FetchException | TileFormatException e) {
                return new Result.Unavailable(target.prefixOf(oplog) + "/" + bundle.path(), e.getMessage());
            }
            TreeHasher hasher = new TreeHasher();
            for (int i = 0; i < entries.size(); i++) {
                long index = bundle.firstEntry() + i;
                try {
                    if (!hasher.leafHash(entries.get(i)).equals(Mirror.leafHash(tree, index))) {
                        return new Result.Unavailable(target.prefixOf(oplog) + "/" + bundle.path(),
                                "op " + index + " does not hash to its leaf in the verified tree");
                    }
                } catch (NodeUnavailableException e) {
                    throw new IllegalStateException("the mirror of oplog " + oplog + " lacks leaf " + index, e);
                }
            }
            cached = new CachedBundle(bundleIndex, size, entries);
            oplogBundles.put(oplog, cached);
        }
        return new Result.Available(cached.entries().get((int) (seq % TileResource.FULL_WIDTH)).clone(), checkpoint);
    }

    @Override
    public Map<LogId, SignedCheckpoint> verifiedCheckpoints() {
        Map<LogId, SignedCheckpoint> out = new LinkedHashMap<>();
        for (Rows.Log log : logs.values()) {
            if (log.role() == LogRole.OPLOG && log.verifiedSize() > 0) {
                follower.verified(log).ifPresent(cp -> out.put(log.logId(), cp));
            }
        }
        return out;
    }

    // ---- after the index ----

    /** PROTOCOL §3 says every op of an active oplog is processed: one that waits past the deadline is censored. */
    private void checkCensorship() {
        long now = clock.millis();
        for (Rows.Log log : logs.values()) {
            if (log.role() != LogRole.OPLOG || !log.active() || log.verifiedSize() <= log.nextSeq()) {
                continue;
            }
            long seq = log.nextSeq();
            long firstSeen = session.firstSeenCovering(db.id(), log.logId(), seq).orElse(now);
            String summary = "op " + seq + " of active oplog " + log.logId().hex() + " is published (first seen "
                    + java.time.Instant.ofEpochMilli(firstSeen) + ") but not processed yet";
            Facts facts = Facts.builder().put("oplog", log.logId()).put("seq", seq).put("firstSeenAt", firstSeen)
                    .put("oplogVerifiedSize", log.verifiedSize()).build();
            observe(new Finding.Pending(PendingCode.OpNotYetProcessed, Optional.of(log.logId()), OptionalLong.empty(),
                    OptionalLong.of(seq), summary, facts));
            if (now - firstSeen > settings.pendingDeadline().toMillis()) {
                observe(new Finding.Availability(AvailabilityCode.OpNotProcessed, Optional.of(log.logId()),
                        OptionalLong.empty(), OptionalLong.of(seq), summary + ", for longer than the deadline of "
                                + settings.pendingDeadline() + " (censorship)", facts));
            }
        }
    }

    /** Open availability and pending findings whose condition this pass re-checked and did not see again. */
    private void resolveCleared() {
        long now = clock.millis();
        for (Rows.Finding f : session.openFindings(db.id())) {
            if (observed.containsKey(f.dedupKey()) || f.kind().equals("fraud") || f.kind().equals("notice")) {
                continue;
            }
            AvailabilityCode.Clears clears = clears(f);
            boolean cleared = switch (clears) {
                case ON_LOG_SYNC -> f.log().map(l -> Boolean.TRUE.equals(synced.get(l))).orElse(false);
                // A breach ends the audit of transactions: what waited at some position no longer matters.
                case ON_POSITION -> db.status() == DatabaseStatus.BREACHED
                        || f.atPosition().isPresent() && db.nextPosition() > f.atPosition().getAsLong();
                case ON_SEQ -> db.status() == DatabaseStatus.BREACHED
                        || indexFullyProcessed && f.log().isPresent() && isProcessedOrInactive(f);
                case NEVER -> false;
            };
            if (cleared) {
                session.resolveFinding(f.id(), now);
            }
        }
    }

    private boolean isProcessedOrInactive(Rows.Finding f) {
        Rows.Log log = logs.get(f.log().get());
        return log == null || !log.active() || f.opSeq().isEmpty() || log.nextSeq() > f.opSeq().getAsLong();
    }

    private static AvailabilityCode.Clears clears(Rows.Finding f) {
        if (f.kind().equals("pending")) {
            return PendingCode.valueOf(f.code()) == PendingCode.OpNotYetProcessed ? AvailabilityCode.Clears.ON_SEQ
                    : AvailabilityCode.Clears.ON_POSITION;
        }
        return AvailabilityCode.valueOf(f.code()).clears();
    }

    // ---- findings ----

    /** Records a finding: a new row, or a touch of the open one with the same key. Returns its id. */
    private long observe(Finding finding) {
        return observe(finding, Optional.empty());
    }

    /** Records a finding with its proof (a fraud finding has one, verified before it gets here). */
    private long observe(Finding finding, Optional<ProofAssembler.Assembled> proof) {
        if (finding instanceof Finding.Fraud && proof.isEmpty()) {
            throw new IllegalStateException("a fraud finding without its proof: " + finding.summary());
        }
        observed.put(finding.dedupKey(), finding);
        long now = clock.millis();
        Optional<Rows.Finding> open = session.openFinding(db.id(), finding.dedupKey());
        if (open.isPresent()) {
            session.touchFinding(open.get().id(), now);
            return open.get().id();
        }
        long id = session.insertFinding(db.id(), finding.kind(), finding.code(), finding.log(), finding.at(), finding.entry(),
                finding.seq(), finding.dedupKey(), finding.summary(), finding.facts().write(), now);
        if (finding instanceof Finding.Notice) {
            session.resolveFinding(id, now); // an event, not a condition: closed as it is recorded
        }
        proof.ifPresent(p -> session.attachProof(id, p.id(), p.document()));
        inserted.add(session.finding(id).orElseThrow());
        return id;
    }

    private PassReport report(Duration duration) {
        List<Rows.Finding> open = session.openFindings(db.id());
        Verdict verdict;
        boolean fraud = db.status() == DatabaseStatus.BREACHED || open.stream().anyMatch(f -> f.kind().equals("fraud"));
        if (fraud) {
            verdict = Verdict.MISBEHAVIOUR;
        } else if (db.status() == DatabaseStatus.UNSUPPORTED
                || observed.values().stream().anyMatch(f -> f instanceof Finding.Availability)) {
            verdict = Verdict.COULD_NOT_VERIFY;
        } else if (observed.values().stream().anyMatch(f -> f instanceof Finding.Pending)) {
            verdict = Verdict.PENDING;
        } else {
            verdict = stoppedEarly ? Verdict.PENDING : Verdict.VERIFIED;
        }
        List<PassReport.LogPosition> positions = logs.values().stream()
                .map(l -> new PassReport.LogPosition(l.logId(), l.role(), l.verifiedSize(), l.nextSeq(), l.active())).toList();
        // The committed rows: a finding inserted and then resolved in this pass (a notice) is reported as inserted.
        Set<Long> ids = new HashSet<>();
        List<Rows.Finding> fresh = new ArrayList<>();
        for (Rows.Finding f : inserted) {
            if (ids.add(f.id())) {
                fresh.add(session.finding(f.id()).orElse(f));
            }
        }
        return new PassReport(target.index(), verdict, db.status(), db.nextPosition(),
                logs.get(target.index()).verifiedSize(), positions, fresh, open, transactions, duration, notes);
    }
}
