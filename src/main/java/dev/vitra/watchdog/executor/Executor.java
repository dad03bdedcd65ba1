package dev.vitra.watchdog.executor;

import dev.vitra.watchdog.contract.Ack;
import dev.vitra.watchdog.contract.ApplyOutcome;
import dev.vitra.watchdog.contract.CallOutcome;
import dev.vitra.watchdog.contract.Change;
import dev.vitra.watchdog.contract.Contract;
import dev.vitra.watchdog.contract.ContractEngine;
import dev.vitra.watchdog.contract.ContractLoadException;
import dev.vitra.watchdog.contract.MemoryIndex;
import dev.vitra.watchdog.contract.ProcessOutcome;
import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.note.SignerKey;
import dev.vitra.watchdog.protocol.AckValue;
import dev.vitra.watchdog.protocol.IndexEntries;
import dev.vitra.watchdog.protocol.IndexEntry;
import dev.vitra.watchdog.protocol.InvalidEntryException;
import dev.vitra.watchdog.protocol.Json;
import dev.vitra.watchdog.protocol.JsonValue;
import dev.vitra.watchdog.protocol.MalformedJsonException;
import dev.vitra.watchdog.protocol.SysPaths;
import dev.vitra.watchdog.tiles.EntryBundles;
import dev.vitra.watchdog.tilewriter.LogDirectory;
import dev.vitra.watchdog.tilewriter.TileWriter;
import dev.vitra.watchdog.util.KeyFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The honest reference executor of one database (PROTOCOL §1–§4): an index log and one oplog per participant,
 * each written as tlog-tiles static files under {@code <data>/logs/<log id>/}, with keys under
 * {@code <data>/keys/} readable by the owner only. Participants' calls run the contract's methods and append the
 * ops they emit to the participant's oplog; {@link #processPending()} then processes ops in order, per
 * participant: {@code process()} → ack → {@code apply()} → index entries, and publishes new checkpoints.
 * Restarting with the same data directory resumes the same database. Not thread-safe beyond its own locking.
 */
public final class Executor {
    private static final System.Logger LOG = System.getLogger(Executor.class.getName());
    /** The op last reported as undetermined: each is reported once, not at every retry. */
    private String lastUndetermined;

    /**
     * An op the runtime could not finish (a limit of this executor's engine): it is not published, and ops after it
     * wait (PROTOCOL §3 order), so the operator is told once which op holds the database up.
     */
    private void undetermined(LogId origin, long seq, String call, String why) {
        String key = origin.hex() + "/" + seq;
        if (!key.equals(lastUndetermined)) {
            lastUndetermined = key;
            LOG.log(System.Logger.Level.WARNING, "op {0} of {1} not processed: {2} was aborted ({3}); it is retried at every"
                    + " processing run and the ops after it wait", seq, origin.hex(), call, why);
        }
    }

    private static final String DATABASE_FILE = "database.properties";
    /** Error messages in acks are informative only; long ones are cut so the ack always fits in an entry. */
    private static final int MAX_ERROR_CHARS = 1000;

    private final Path dataDir;
    private final ContractEngine engine;
    private final Clock clock;
    private final LogId indexId;
    private TileWriter indexWriter;
    private final Map<LogId, TileWriter> oplogs = new LinkedHashMap<>();
    private final Map<LogId, Deque<byte[]>> pending = new HashMap<>();
    private final Map<LogId, Long> nextSeq = new HashMap<>();
    private final MemoryIndex index = new MemoryIndex();
    private final java.util.Set<Fault> faults = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private Contract contract;

    /** A call's outcome and, for a writer, where each emitted op landed in the participant's oplog. */
    public record CallResult(CallOutcome outcome, List<Long> opPositions) {
    }

    private Executor(Path dataDir, ContractEngine engine, Clock clock, LogId indexId, TileWriter indexWriter) {
        this.dataDir = dataDir;
        this.engine = engine;
        this.clock = clock;
        this.indexId = indexId;
        this.indexWriter = indexWriter;
    }

    /** Creates a database in an empty {@code dataDir}: keys, genesis entries, first checkpoints. */
    public static Executor create(Path dataDir, String contractSource, int participants, ContractEngine engine, Clock clock)
            throws IOException, ContractLoadException {
        if (participants < 1) {
            throw new IllegalArgumentException("a database needs at least one participant");
        }
        if (Files.exists(dataDir.resolve(DATABASE_FILE))) {
            throw new IOException(dataDir + " already holds a database; open it instead");
        }
        Contract contract = engine.load(contractSource);
        SignerKey indexKey = KeyFiles.loadOrCreateLogKey(dataDir.resolve("keys").resolve("index.key"));
        LogId indexId = new LogId(indexKey.publicKey());
        Executor ex = new Executor(dataDir, engine, clock, indexId, writer(dataDir, indexKey));
        ex.contract = contract;
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= participants; i++) {
            SignerKey key = KeyFiles.loadOrCreateLogKey(dataDir.resolve("keys").resolve("participant-" + i + ".key"));
            LogId id = new LogId(key.publicKey());
            ex.oplogs.put(id, writer(dataDir, key));
            ex.pending.put(id, new ArrayDeque<>());
            ids.add(id.hex());
        }
        ex.appendIndex(IndexEntries.header());
        ex.appendPut(IndexEntries.CONTRACT_SOURCE_PATH, dev.vitra.watchdog.util.JsonText.quote(contractSource));
        for (LogId id : ex.oplogs.keySet()) {
            ex.appendPut(IndexEntries.INPUTS_PREFIX + id.hex(), IndexEntries.inputValue(id, true));
        }
        ex.appendPut(IndexEntries.GENESIS_SEAL_PATH, "null");
        ex.publishAll();
        Properties props = new Properties();
        props.setProperty("index", indexId.hex());
        props.setProperty("participants", String.join(",", ids));
        try (OutputStream out = Files.newOutputStream(dataDir.resolve(DATABASE_FILE))) {
            props.store(out, "Vitra reference executor database");
        }
        return ex;
    }

    /** Resumes the database in {@code dataDir}, rebuilding the index state from its own index log. */
    public static Executor open(Path dataDir, ContractEngine engine, Clock clock) throws IOException, ContractLoadException {
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(dataDir.resolve(DATABASE_FILE))) {
            props.load(in);
        }
        SignerKey indexKey = KeyFiles.loadOrCreateLogKey(dataDir.resolve("keys").resolve("index.key"));
        LogId indexId = new LogId(indexKey.publicKey());
        if (!indexId.hex().equals(props.getProperty("index"))) {
            throw new IOException("keys/index.key does not belong to index log " + props.getProperty("index"));
        }
        Executor ex = new Executor(dataDir, engine, clock, indexId, writer(dataDir, indexKey));
        String[] ids = props.getProperty("participants", "").split(",");
        for (int i = 0; i < ids.length; i++) {
            SignerKey key = KeyFiles.loadOrCreateLogKey(dataDir.resolve("keys").resolve("participant-" + (i + 1) + ".key"));
            LogId id = new LogId(key.publicKey());
            if (!id.hex().equals(ids[i])) {
                throw new IOException("keys/participant-" + (i + 1) + ".key does not belong to oplog " + ids[i]);
            }
            ex.oplogs.put(id, writer(dataDir, key));
        }
        ex.replayIndex();
        for (Map.Entry<LogId, TileWriter> e : ex.oplogs.entrySet()) {
            long from = ex.nextSeq.getOrDefault(e.getKey(), 0L);
            ex.pending.put(e.getKey(), new ArrayDeque<>(readEntries(e.getValue(), from)));
        }
        return ex;
    }

    public LogId indexLogId() {
        return indexId;
    }

    public List<LogId> participants() {
        return List.copyOf(oplogs.keySet());
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The index state after the last processed transaction (read-only use). */
    public MemoryIndex state() {
        return index;
    }

    /** Turns a fault on or off; takes effect from the next op processed (signed forks act at once, once). */
    public synchronized void setFault(Fault fault, boolean on) throws IOException {
        if (!on) {
            faults.remove(fault);
            return;
        }
        switch (fault) {
            case REWRITE_ENTRY -> rewriteLastEntry();
            case FORK_OPLOG -> forkFirstOplog();
            case EQUIVOCATE -> {
                writeEquivocationFork();
                faults.add(fault);
            }
            default -> faults.add(fault);
        }
    }

    /** Where the forked index log served by EQUIVOCATE lives (same layout as {@code dataDir}). */
    public Path forkDir() {
        return dataDir.resolve("forks").toAbsolutePath().normalize();
    }

    private void rewriteLastEntry() throws IOException {
        indexWriter = rewriteAndSwap(indexWriter, IndexEntries.put("/rewritten", "true"));
        reloadState();
    }

    private void forkFirstOplog() throws IOException {
        Map.Entry<LogId, TileWriter> first = oplogs.entrySet().iterator().next();
        first.setValue(rewriteAndSwap(first.getValue(), "{\"op\":\"FORKED\"}".getBytes(StandardCharsets.UTF_8)));
        reloadState();
    }

    /** Reopens every log from its last published checkpoint and rebuilds the state from them. */
    private void reloadFromDisk() throws IOException {
        indexWriter = TileWriter.open(indexWriter.directory(), KeyFiles.loadOrCreateLogKey(keyFileOf(indexWriter)), indexWriter.origin());
        for (Map.Entry<LogId, TileWriter> e : oplogs.entrySet()) {
            TileWriter w = e.getValue();
            e.setValue(TileWriter.open(w.directory(), KeyFiles.loadOrCreateLogKey(keyFileOf(w)), w.origin()));
        }
        reloadState();
    }

    /** Rebuilds index state, next seqs and queues from the published logs (after a fork or a failure). */
    private void reloadState() throws IOException {
        index.clear();
        nextSeq.clear();
        try {
            replayIndex();
        } catch (ContractLoadException e) {
            throw new IOException("the index log's contract no longer loads: " + e.getMessage(), e);
        }
        for (Map.Entry<LogId, TileWriter> e : oplogs.entrySet()) {
            pending.put(e.getKey(), new ArrayDeque<>(readEntries(e.getValue(), nextSeq.getOrDefault(e.getKey(), 0L))));
        }
    }

    /** Rewrites a log's last entry in a fresh directory, then puts that directory where the log is served. */
    private TileWriter rewriteAndSwap(TileWriter writer, byte[] replacement) throws IOException {
        writer.publish();
        long size = writer.published().size();
        if (size == 0) {
            throw new IllegalStateException("an empty log has nothing to rewrite");
        }
        LogDirectory live = writer.directory();
        SignerKey key = KeyFiles.loadOrCreateLogKey(keyFileOf(writer));
        Path staging = live.root().resolveSibling(live.root().getFileName() + ".fork");
        dev.vitra.watchdog.util.FileTrees.delete(staging);
        dev.vitra.watchdog.tilewriter.LogForks.rewrite(live, size, size - 1, replacement, new LogDirectory(staging), key, writer.origin());
        Path old = live.root().resolveSibling(live.root().getFileName() + ".before-fork");
        dev.vitra.watchdog.util.FileTrees.delete(old);
        Files.move(live.root(), old);
        Files.move(staging, live.root());
        return TileWriter.open(new LogDirectory(live.root()), key, writer.origin());
    }

    private void writeEquivocationFork() throws IOException {
        indexWriter.publish();
        long size = indexWriter.published().size();
        Path target = forkDir().resolve("logs").resolve(indexId.hex());
        dev.vitra.watchdog.util.FileTrees.delete(target);
        dev.vitra.watchdog.tilewriter.LogForks.rewrite(indexWriter.directory(), size, size - 1,
                IndexEntries.put("/equivocated", "true"), new LogDirectory(target),
                KeyFiles.loadOrCreateLogKey(dataDir.resolve("keys").resolve("index.key")), indexId.origin());
    }

    private Path keyFileOf(TileWriter writer) {
        if (writer == indexWriter) {
            return dataDir.resolve("keys").resolve("index.key");
        }
        int n = 1;
        for (TileWriter w : oplogs.values()) {
            if (w == writer) {
                return dataDir.resolve("keys").resolve("participant-" + n + ".key");
            }
            n++;
        }
        throw new IllegalArgumentException("not one of this database's logs");
    }

    public java.util.Set<Fault> faults() {
        java.util.EnumSet<Fault> copy = java.util.EnumSet.noneOf(Fault.class);
        copy.addAll(faults);
        return copy;
    }

    public synchronized long indexSize() {
        return indexWriter.size();
    }

    /** The size of the last checkpoint published for one of this database's logs (its index or an oplog). */
    public synchronized long publishedSize(LogId log) {
        if (log.equals(indexId)) {
            return indexWriter.published().size();
        }
        TileWriter oplog = oplogs.get(log);
        if (oplog == null) {
            throw new IllegalArgumentException("not one of this database's logs: " + log.hex());
        }
        return oplog.published().size();
    }

    /**
     * Runs {@code method(params, emit)}. For an active participant ({@code isWriter}) the emitted ops are appended
     * to its oplog and published; a read-only call (or a non-participant) only returns the method's result.
     */
    public synchronized CallResult call(LogId participant, String method, String paramsJson) throws IOException {
        return call(participant, method, paramsJson, true);
    }

    /**
     * {@link #call(LogId, String, String)}, publishing the participant's oplog now or (for bulk loads) leaving that to
     * the next {@link #processPending()}, which publishes every log it touched.
     */
    public synchronized CallResult call(LogId participant, String method, String paramsJson, boolean publish)
            throws IOException {
        TileWriter oplog = oplogs.get(participant);
        if (oplog == null) {
            throw new IllegalArgumentException("participant " + participant.hex() + " has no oplog in this database");
        }
        boolean writer = isActive(participant);
        CallOutcome outcome = engine.call(contract, method, paramsJson, writer, index);
        List<Long> positions = new ArrayList<>();
        if (writer && outcome instanceof CallOutcome.Returned r && !r.emittedOps().isEmpty()) {
            for (String op : r.emittedOps()) {
                byte[] entry = op.getBytes(StandardCharsets.UTF_8);
                positions.add(oplog.append(entry));
                pending.get(participant).add(entry);
            }
            if (publish) {
                oplog.publish();
            }
        }
        return new CallResult(outcome, positions);
    }

    /**
     * Processes every pending op of every active participant, in oplog order per participant, and publishes the
     * index. Stops at an op whose outcome the contract runtime could not determine (it is retried next time).
     * Returns the number of ops processed.
     */
    public synchronized int processPending() throws IOException, ContractLoadException {
        try {
            return processAll();
        } catch (IOException | ContractLoadException | RuntimeException e) {
            // Fail-stop: forget whatever half a transaction left in memory and start again from what is on disk.
            reloadFromDisk();
            throw e;
        }
    }

    /** True while some active participant has ops waiting. */
    public synchronized boolean hasPending() {
        for (Map.Entry<LogId, Deque<byte[]>> e : pending.entrySet()) {
            if (!e.getValue().isEmpty() && isActive(e.getKey())) {
                return true;
            }
        }
        return false;
    }

    private int processAll() throws IOException, ContractLoadException {
        int processed = 0;
        if (faults.contains(Fault.ACK_MISSING_OP)) {
            injectAckOfMissingOp();
        }
        if (faults.contains(Fault.NON_PARTICIPANT)) {
            injectOutsiderOp();
        }
        boolean progress = true;
        while (progress) {
            progress = false;
            for (LogId origin : oplogs.keySet()) {
                Deque<byte[]> queue = pending.get(origin);
                if (queue.isEmpty() || !isActive(origin)) {
                    continue;
                }
                if (!processOne(origin, queue.peekFirst())) {
                    publishAll();
                    return processed;
                }
                queue.removeFirst();
                processed++;
                progress = true;
            }
        }
        publishAll();
        return processed;
    }

    private boolean processOne(LogId origin, byte[] opBytes) throws IOException, ContractLoadException {
        long seq = nextSeq.getOrDefault(origin, 0L);
        long ts = clock.millis();
        String op;
        try {
            op = Json.decodeUtf8(opBytes);
        } catch (MalformedJsonException e) {
            // PROTOCOL §3: an oplog entry that is not a JSON text (here: not even UTF-8) is an op that fails.
            publishTransaction(origin, seq, ts, Optional.empty(), new ApplyOutcome.Rejected("op is not valid UTF-8"));
            nextSeq.put(origin, seq + 1);
            return true;
        }
        Optional<String> metadata;
        switch (engine.process(contract, op, index)) {
            case ProcessOutcome.Metadata m -> metadata = m.metadataJson();
            case ProcessOutcome.Failed f -> metadata = Optional.empty();
            case ProcessOutcome.Aborted a -> {
                undetermined(origin, seq, "process()", a.reason() + ": " + a.detail());
                return false; // undetermined: retried later, like an aborted apply
            }
        }
        if (metadata.isPresent() && !fitsInAck(origin, seq, ts, metadata)) {
            metadata = Optional.empty(); // PROTOCOL §3: an executor that cannot fit the metadata omits it
        }
        ApplyOutcome outcome = engine.apply(contract, index, op, new Ack(origin.hex(), seq, ts, metadata));
        if (outcome instanceof ApplyOutcome.Aborted a) {
            undetermined(origin, seq, "apply()", a.reason() + ": " + a.detail());
            return false;
        }
        if (faults.contains(Fault.SKIP_OP)) {
            nextSeq.put(origin, seq + 1);
            return true;
        }
        publishTransaction(origin, seq, ts, metadata, outcome);
        if (faults.contains(Fault.DOUBLE_PROCESS)) {
            publishTransaction(origin, seq, ts, metadata, outcome);
        }
        nextSeq.put(origin, seq + 1);
        return true;
    }

    /** Writes the ack and changes of one transaction, as the protocol asks or as the active faults distort it. */
    private void publishTransaction(LogId origin, long seq, long ts, Optional<String> metadata, ApplyOutcome outcome)
            throws IOException, ContractLoadException {
        String ackPath = IndexEntries.ackPath(origin, seq);
        boolean success = outcome instanceof ApplyOutcome.Applied;
        String error = outcome instanceof ApplyOutcome.Rejected r
                ? (r.error().length() > MAX_ERROR_CHARS ? r.error().substring(0, MAX_ERROR_CHARS) + "…" : r.error()) : null;
        List<Change> changes = outcome instanceof ApplyOutcome.Applied a ? new ArrayList<>(a.changes()) : new ArrayList<>();
        if (success && faults.contains(Fault.FAIL_VALID_OP)) {
            success = false;
            error = "injected failure";
            changes.clear();
        } else if (!success && faults.contains(Fault.SUCCEED_REJECTED_OP)) {
            success = true;
            error = null;
        }
        if (success && !changes.isEmpty() && faults.contains(Fault.WRONG_CHANGES)) {
            changes = new ArrayList<>(List.of(put("/wrong", changes.get(0).valueJson().orElse("null"))));
        }
        if (success && !changes.isEmpty() && faults.contains(Fault.MISSING_CHANGE)) {
            changes.remove(changes.size() - 1);
        }
        if (success && faults.contains(Fault.EXTRA_CHANGE)) {
            changes.add(put("/extra", "true"));
        }
        int claimed = changes.size() + (success && faults.contains(Fault.WRONG_NUM_CHANGES) ? 1 : 0);
        appendPut(ackPath, IndexEntries.ackValue(success, origin, seq, ts, claimed, metadata, Optional.ofNullable(error)));
        long changeSeq = indexWriter.size();
        for (Change c : changes) {
            appendIndex(c.entryJson().getBytes(StandardCharsets.UTF_8));
        }
        index.apply(changes, changeSeq);
        if (changes.stream().anyMatch(c -> c.path().equals(IndexEntries.CONTRACT_SOURCE_PATH))) {
            contract = engine.load(sourceFromIndex());
        }
    }

    /** Whether an ack carrying this metadata fits in an entry, whatever its success, count and error turn out to be. */
    private static boolean fitsInAck(LogId origin, long seq, long ts, Optional<String> metadata) {
        String worst = IndexEntries.ackValue(false, origin, seq, ts, Integer.MAX_VALUE, metadata, Optional.of("e".repeat(MAX_ERROR_CHARS * 6)));
        return IndexEntries.put(IndexEntries.ackPath(origin, seq), worst).length <= EntryBundles.MAX_ENTRY_BYTES;
    }

    private static Change put(String path, String valueJson) {
        return new Change(Change.Type.PUT, path, Optional.of(valueJson),
                new String(IndexEntries.put(path, valueJson), StandardCharsets.UTF_8));
    }

    /** ACK_MISSING_OP: acknowledges the next seq of the first active participant with nothing pending. */
    private void injectAckOfMissingOp() throws IOException {
        for (LogId origin : oplogs.keySet()) {
            if (isActive(origin) && pending.get(origin).isEmpty()) {
                long seq = nextSeq.getOrDefault(origin, 0L);
                // The real counter stays: the op that later lands at this position is processed as usual.
                appendPut(IndexEntries.ackPath(origin, seq),
                        IndexEntries.ackValue(true, origin, seq, clock.millis(), 0, Optional.empty(), Optional.empty()));
                return;
            }
        }
    }

    /** NON_PARTICIPANT: appends an op to an oplog that was never an input, and processes it. */
    private void injectOutsiderOp() throws IOException, ContractLoadException {
        SignerKey key = KeyFiles.loadOrCreateLogKey(dataDir.resolve("keys").resolve("outsider.key"));
        LogId outsider = new LogId(key.publicKey());
        TileWriter writer = writer(dataDir, key);
        String op = pending.values().stream().filter(q -> !q.isEmpty()).findFirst()
                .map(q -> new String(q.peekFirst(), StandardCharsets.UTF_8)).orElse("{\"op\":\"NOOP\"}");
        long seq = writer.append(op.getBytes(StandardCharsets.UTF_8));
        writer.publish();
        long ts = clock.millis();
        ApplyOutcome outcome = engine.apply(contract, index, op, new Ack(outsider.hex(), seq, ts));
        if (!(outcome instanceof ApplyOutcome.Aborted)) {
            publishTransaction(outsider, seq, ts, Optional.empty(), outcome);
        }
    }

    private boolean isActive(LogId participant) {
        return index.get(IndexEntries.INPUTS_PREFIX + participant.hex())
                .map(e -> e.valueJson().contains("\"active\":true")).orElse(false);
    }

    private String sourceFromIndex() throws IOException {
        String json = index.get(IndexEntries.CONTRACT_SOURCE_PATH).orElseThrow().valueJson();
        try {
            if (Json.parse(json) instanceof JsonValue.Str source) {
                return source.value();
            }
        } catch (MalformedJsonException e) {
            throw new IOException("the index's contract source is not JSON: " + e.getMessage(), e);
        }
        throw new IOException("the index's contract source is not a string");
    }

    private void appendIndex(byte[] entry) throws IOException {
        indexWriter.append(entry);
    }

    /** Appends a put to the index log and applies it to the state at the position it was written. */
    private void appendPut(String path, String valueJson) throws IOException {
        long seq = indexWriter.append(IndexEntries.put(path, valueJson));
        index.put(path, valueJson, seq);
    }

    /**
     * Oplogs first: an ack is never served before a signed checkpoint covering its op, so a monitor that reads the index
     * and then the oplogs never has to wait for an op an honest executor already processed.
     */
    private void publishAll() throws IOException {
        for (TileWriter w : oplogs.values()) {
            if (w.size() != w.published().size()) {
                w.publish();
            }
        }
        indexWriter.publish();
    }

    /** Rebuilds the index state, the contract and every participant's next seq from the index log on disk. */
    private void replayIndex() throws IOException, ContractLoadException {
        List<byte[]> entries = readEntries(indexWriter, 0);
        for (int seq = 1; seq < entries.size(); seq++) {
            IndexEntry entry;
            try {
                entry = IndexEntry.parse(entries.get(seq));
            } catch (InvalidEntryException e) {
                throw new IOException("index entry " + seq + " is not one this executor writes: " + e.getMessage(), e);
            }
            switch (entry) {
                case IndexEntry.Put put -> {
                    index.put(put.path(), Json.write(put.value()), seq);
                    var ack = SysPaths.parseAckPath(put.path());
                    if (ack.isPresent()) {
                        try {
                            nextSeq.put(ack.get().origin(), AckValue.parse(put.value(), ack.get()).seq() + 1);
                        } catch (InvalidEntryException e) {
                            throw new IOException("ack at index entry " + seq + " is malformed: " + e.getMessage(), e);
                        }
                    }
                }
                case IndexEntry.Del del -> index.delete(del.path());
                case IndexEntry.Header header -> throw new IOException("a second header at index entry " + seq);
            }
        }
        contract = engine.load(sourceFromIndex());
    }

    private static List<byte[]> readEntries(TileWriter writer, long from) throws IOException {
        return writer.directory().readEntries(from, writer.published().size());
    }

    private static TileWriter writer(Path dataDir, SignerKey key) throws IOException {
        LogId id = new LogId(key.publicKey());
        return TileWriter.open(new LogDirectory(dataDir.resolve("logs").resolve(id.hex())), key, id.origin());
    }
}
