package dev.vitra.watchdog.bench;

import dev.vitra.watchdog.contract.Ack;
import dev.vitra.watchdog.contract.ApplyOutcome;
import dev.vitra.watchdog.contract.Contract;
import dev.vitra.watchdog.contract.ContractEngine;
import dev.vitra.watchdog.contract.MemoryIndex;
import dev.vitra.watchdog.executor.Executor;
import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.protocol.AckValue;
import dev.vitra.watchdog.protocol.IndexEntry;
import dev.vitra.watchdog.protocol.Json;
import dev.vitra.watchdog.protocol.JsonValue;
import dev.vitra.watchdog.protocol.SysPaths;
import dev.vitra.watchdog.tilewriter.LogDirectory;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Databases for the audit benchmark: a realistic key/value workload ({@code bench/kv-bench.js}: several index
 * reads, asserts, JSON-object puts and deletes per op, about one op in ten failing) built by the reference
 * executor and cached on disk; and the baseline the audit is compared with, a bare replay of the same ops through
 * the contract runtime on an in-memory index (no logs, no proofs, no store).
 */
public final class AuditBench {
    private static final String CONTRACT = "/dev/vitra/watchdog/bench/kv-bench.js";
    private static final String COMPLETE = "bench-database-complete";

    private AuditBench() {
    }

    public static String contractSource() throws IOException {
        try (InputStream in = AuditBench.class.getResourceAsStream(CONTRACT)) {
            if (in == null) {
                throw new IOException("missing " + CONTRACT);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /**
     * A database of {@code ops} ops from {@code participants} oplogs, built once under {@code cache} and reused: the
     * executor processes every op, so its index holds exactly what an honest executor publishes.
     */
    public static Path database(Path cache, int ops, int participants, ContractEngine engine, PrintWriter progress)
            throws Exception {
        Path dir = cache.resolve("kv-" + ops + "-ops-" + participants + "-participants");
        if (Files.exists(dir.resolve(COMPLETE))) {
            return dir;
        }
        dev.vitra.watchdog.util.FileTrees.delete(dir);
        long t0 = System.nanoTime();
        Executor ex = Executor.create(dir, contractSource(), participants, engine, Clock.systemUTC());
        calls(ex, ops, new Random(ops), progress);
        Files.writeString(dir.resolve(COMPLETE), ops + " ops\n");
        progress.printf("  built %s: %,d ops in %.0f s%n", dir, ops, (System.nanoTime() - t0) / 1e9);
        progress.flush();
        return dir;
    }

    /** Makes {@code n} more calls to an open executor (the same workload) and processes them. */
    public static void grow(Executor ex, int n, long seed) throws Exception {
        calls(ex, n, new Random(seed), null);
    }

    private static void calls(Executor ex, int ops, Random random, PrintWriter progress) throws Exception {
        List<LogId> participants = ex.participants();
        for (int i = 0; i < ops; i++) {
            LogId p = participants.get(i % participants.size());
            String key = "k" + random.nextInt(Math.max(10, ops / 10));
            if (random.nextInt(10) == 0) {
                ex.call(p, "remove", "{\"key\":\"" + key + "\"}", false);
            } else {
                ex.call(p, "set", "{\"key\":\"" + key + "\",\"value\":{\"name\":\"item " + i + "\",\"tags\":[\"t"
                        + random.nextInt(20) + "\",\"t" + random.nextInt(20) + "\"],\"n\":" + random.nextInt(1_000_000)
                        + ",\"price\":" + random.nextInt(10_000) / 100.0 + "}}", false);
            }
            if (i % 5000 == 4999) {
                ex.processPending();
                if (progress != null) {
                    progress.printf("  building: %,d of %,d ops%n", i + 1, ops);
                    progress.flush();
                }
            }
        }
        ex.processPending();
    }

    /**
     * The baseline: every op of the database replayed through the contract runtime in order, on a pooled context,
     * against an in-memory index that takes each replay's own changes. Returns the ops replayed.
     */
    public static long bareReplay(Path db, ContractEngine engine) throws Exception {
        Executor ex = Executor.open(db, engine, Clock.systemUTC());
        LogDirectory indexDir = new LogDirectory(db.resolve("logs").resolve(ex.indexLogId().hex()));
        List<byte[]> index = indexDir.readEntries(0, ex.indexSize());
        Map<LogId, List<byte[]>> oplogs = new HashMap<>();
        for (LogId p : ex.participants()) {
            LogDirectory d = new LogDirectory(db.resolve("logs").resolve(p.hex()));
            oplogs.put(p, d.readEntries(0, publishedSize(d)));
        }
        MemoryIndex state = new MemoryIndex();
        Contract contract = null;
        boolean sealed = false;
        long replayed = 0;
        for (int pos = 1; pos < index.size(); pos++) {
            IndexEntry entry = IndexEntry.parse(index.get(pos));
            if (!(entry instanceof IndexEntry.Put put)) {
                continue;
            }
            if (!sealed) { // genesis: the contract, the inputs, the seal
                state.put(put.path(), Json.write(put.value()), pos);
                if (put.path().equals(SysPaths.CONTRACT_SOURCE)) {
                    contract = engine.load(((JsonValue.Str) put.value()).value());
                }
                sealed = put.path().equals(SysPaths.GENESIS_SEAL);
                continue;
            }
            var key = SysPaths.parseAckPath(put.path());
            if (key.isEmpty()) {
                continue; // a published change: the baseline applies the replay's own
            }
            AckValue ack = AckValue.parse(put.value(), key.get());
            String op = new String(oplogs.get(ack.origin()).get((int) ack.seq()), StandardCharsets.UTF_8);
            ApplyOutcome outcome = engine.apply(contract, state,
                    op, new Ack(ack.origin().hex(), ack.seq(), ack.ts(), ack.metadata().map(Json::write)));
            state.put(put.path(), Json.write(put.value()), pos);
            if (outcome instanceof ApplyOutcome.Applied applied) {
                state.apply(applied.changes(), pos + 1);
            }
            replayed++;
        }
        return replayed;
    }

    private static long publishedSize(LogDirectory dir) throws IOException {
        String text = new String(dir.readCheckpoint(), StandardCharsets.UTF_8);
        return Long.parseLong(text.split("\n")[1]);
    }

    public static void copyTree(Path from, Path to) throws IOException {
        dev.vitra.watchdog.util.FileTrees.delete(to);
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
