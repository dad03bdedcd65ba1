package dev.vitra.watchdog.bench;

import dev.vitra.watchdog.contract.Ack;
import dev.vitra.watchdog.contract.ApplyOutcome;
import dev.vitra.watchdog.contract.Change;
import dev.vitra.watchdog.contract.Contract;
import dev.vitra.watchdog.contract.ContractEngine;
import dev.vitra.watchdog.contract.ContractLimits;
import dev.vitra.watchdog.contract.ContractSession;
import dev.vitra.watchdog.contract.MemoryIndex;
import dev.vitra.watchdog.contract.VirtualModuleFileSystem;
import dev.vitra.watchdog.util.JsonText;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import java.util.stream.LongStream;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.io.IOAccess;

/** Steady-state applies per second, the cost of a fresh context, and cold start, for two example contracts. */
public final class ContractBench {
    public enum Workload {
        COUNTER("counter.js", i -> "{\"op\":\"INCREMENT\"}"),
        KV("kv.js", i -> i % 10 == 9 ? "{\"op\":\"DEL\",\"key\":\"k" + (i % 1000) + "\"}"
                : "{\"op\":\"PUT\",\"key\":\"k" + (i % 1000) + "\",\"value\":{\"n\":" + i + ",\"tags\":[\"a\",\"b\"]}}"),
        /** Four index reads (one a list), two asserts, three JSON-object puts, or a delete: real contract work. */
        KV_REALISTIC("kv-realistic.js", i -> i % 10 == 9 ? "{\"op\":\"DEL\",\"key\":\"k" + ((i - 1) % 1000) + "\"}"
                : "{\"op\":\"PUT\",\"key\":\"k" + (i % 1000) + "\",\"value\":{\"n\":" + i
                        + ",\"name\":\"item " + i + "\",\"tags\":[\"b\",\"a\",\"c\"],\"price\":" + (i % 97) + ".5}}");

        final String resource;
        final LongFunction<String> op;

        Workload(String resource, LongFunction<String> op) {
            this.resource = resource;
            this.op = op;
        }

        public String source() {
            return resource("/dev/vitra/watchdog/bench/" + resource);
        }
    }

    private ContractBench() {
    }

    private static String resource(String name) {
        try (InputStream in = ContractBench.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final String ORIGIN = "a".repeat(64);

    private static Ack ack(long seq) {
        return new Ack(ORIGIN, seq, 1_700_000_000_000L + seq);
    }

    /** The index position of the i-th change of op {@code seq}: positions never collide across ops. */
    private static long firstChangeSeq(long seq) {
        return seq * 4;
    }

    /**
     * A contract's own JavaScript with nothing around it, in a plain GraalJS context of its own engine: the module is
     * evaluated once and its handlers are called directly, the index is held in guest memory as the JSON text the
     * runtime's host would hand over (parsed on every read), and no sandbox runtime, frozen realm, fresh module instance
     * or host crossing inside an op is involved. What it costs is the ceiling of any runtime on this engine that keeps
     * index values as JSON: the runtime's cost over it is what the runtime adds.
     */
    public static final class BareContract implements AutoCloseable {
        private final Context context;
        private final Value applyFn;

        public BareContract(String contractSource) {
            Map<String, String> modules = Map.of(
                    "contract", resource("/dev/vitra/watchdog/bench/bare-contract.mjs"),
                    "assert", resource("/dev/vitra/watchdog/contract/assert.mjs"),
                    "subject", contractSource);
            Context built = Context.newBuilder("js")
                    .allowIO(IOAccess.newBuilder().fileSystem(new VirtualModuleFileSystem(modules)).build())
                    .option("engine.WarnInterpreterOnly", "false")
                    .option("js.esm-eval-returns-exports", "true")
                    .out(OutputStream.nullOutputStream())
                    .err(OutputStream.nullOutputStream())
                    .build();
            Source driver = Source.newBuilder("js", resource("/dev/vitra/watchdog/bench/bare-driver.mjs"), "/bench/bare-driver.mjs")
                    .mimeType("application/javascript+module").buildLiteral();
            try {
                this.applyFn = built.eval(driver).getMember("applyBare");
            } catch (RuntimeException e) {
                built.close();
                throw e;
            }
            this.context = built;
        }

        /** Applies op {@code seq} and commits its changes; returns them as [[path, value JSON or null], ...] text. */
        public String apply(String opJson, long seq) {
            return apply(opJson, seq, true);
        }

        /** Applies op {@code seq} and commits its changes, spelled out as {@link #apply(String, long)} does if asked. */
        String apply(String opJson, long seq, boolean spellChanges) {
            Ack ack = ack(seq);
            // The ack's fields as JSON.parse would give them: numbers are doubles.
            Value box = applyFn.execute(opJson, ack.origin(), (double) ack.seq(), (double) ack.ts(), firstChangeSeq(seq), spellChanges);
            Value error = box.getMember("error");
            if (!error.isNull()) {
                throw new IllegalStateException("bare run of op " + seq + " failed: " + error.asString());
            }
            Value changes = box.getMember("changes");
            if (changes.isNull()) {
                throw new IllegalStateException("bare run of op " + seq + " left a promise pending");
            }
            return changes.asString();
        }

        @Override
        public void close() {
            context.close();
        }
    }

    /** A runtime outcome's changes in the bare run's spelling, to compare the two. */
    static String changesText(List<Change> changes) {
        StringBuilder sb = new StringBuilder("[");
        for (Change c : changes) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            sb.append('[').append(JsonText.quote(c.path())).append(',').append(c.valueJson().orElse("null")).append(']');
        }
        return sb.append(']').toString();
    }

    /**
     * Runs ops {@code seqs} of {@code w} (in that order) through the runtime and through a bare run and fails at the first
     * op whose changes differ: the bare run must do the contract's work, no less.
     */
    public static void checkBareMatchesRuntime(ContractEngine engine, Workload w, LongStream seqs) throws Exception {
        Contract contract = engine.load(w.source());
        MemoryIndex index = new MemoryIndex();
        try (ContractSession session = engine.openSession(contract); BareContract bare = new BareContract(w.source())) {
            for (long s : (Iterable<Long>) seqs::iterator) {
                String runtime = changesText(applyOne(session, w, index, s));
                String bareChanges = bare.apply(w.op.apply(s), s);
                if (!runtime.equals(bareChanges)) {
                    throw new IllegalStateException("bare run of " + w + " differs from the runtime at op " + s
                            + ": expected " + runtime + ", found " + bareChanges);
                }
            }
        }
    }

    /** Steady-state applies per second of the runtime and of the bare run, and the median of their per-round ratios. */
    public record RuntimeAndBare(double runtime, double bare, double runtimeOverBare) {
    }

    /**
     * Steady-state applies per second of the runtime and of the bare run (see {@link BareContract}): both warmed up,
     * then measured in rounds that alternate which goes first (ABBA), so that a machine whose speed drifts (a shared
     * host) affects both alike; the ratio is the median of the per-round ratios.
     */
    public static RuntimeAndBare steadyRuntimeAndBare(ContractEngine engine, Workload w, double warmupSeconds, int rounds,
            double roundSeconds) throws Exception {
        Contract contract = engine.load(w.source());
        MemoryIndex index = new MemoryIndex();
        long[] runtimeSeq = {0};
        long[] bareSeq = {0};
        try (ContractSession session = engine.openSession(contract); BareContract bare = new BareContract(w.source())) {
            Runnable runtimeNext = () -> applyOne(session, w, index, runtimeSeq[0]++);
            Runnable bareNext = () -> {
                long s = bareSeq[0]++;
                bare.apply(w.op.apply(s), s, false);
            };
            runFor(runtimeNext, warmupSeconds);
            runFor(bareNext, warmupSeconds);
            double[] runtimeRates = new double[rounds];
            double[] bareRates = new double[rounds];
            double[] ratios = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                if (r % 2 == 0) {
                    runtimeRates[r] = rate(runtimeNext, roundSeconds);
                    bareRates[r] = rate(bareNext, roundSeconds);
                } else {
                    bareRates[r] = rate(bareNext, roundSeconds);
                    runtimeRates[r] = rate(runtimeNext, roundSeconds);
                }
                ratios[r] = runtimeRates[r] / bareRates[r];
            }
            return new RuntimeAndBare(Stats.median(runtimeRates), Stats.median(bareRates), Stats.median(ratios));
        }
    }

    private static double rate(Runnable applyNext, double seconds) {
        long t0 = System.nanoTime();
        long n = runFor(applyNext, seconds);
        return n / ((System.nanoTime() - t0) / 1e9);
    }

    private static long runFor(Runnable applyNext, double seconds) {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        long n = 0;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 100; i++) {
                applyNext.run();
                n++;
            }
        }
        return n;
    }

    /** Applies ops in a loop on one session, committing changes to an in-memory index as a replay would. */
    public static double steadyAppliesPerSecond(ContractEngine engine, Workload w, double warmupSeconds,
            int rounds, double roundSeconds) throws Exception {
        Contract contract = engine.load(w.source());
        MemoryIndex index = new MemoryIndex();
        long[] seq = {0};
        try (ContractSession session = engine.openSession(contract)) {
            Runnable next = () -> applyOne(session, w, index, seq[0]++);
            runFor(next, warmupSeconds);
            double[] rates = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                rates[r] = rate(next, roundSeconds);
            }
            return Stats.median(rates);
        }
    }

    private static List<Change> applyOne(ContractSession session, Workload w, MemoryIndex index, long s) {
        ApplyOutcome out = session.apply(index, w.op.apply(s), ack(s));
        if (!(out instanceof ApplyOutcome.Applied applied)) {
            throw new IllegalStateException("benchmark op failed: " + out);
        }
        index.apply(applied.changes(), firstChangeSeq(s));
        return applied.changes();
    }

    /** Median seconds of one apply in a brand-new context versus on a reused one. */
    public static double[] freshVersusPooledSeconds(ContractEngine engine, Workload w, int samples) throws Exception {
        Contract contract = engine.load(w.source());
        MemoryIndex index = new MemoryIndex();
        double[] fresh = new double[samples];
        double[] pooled = new double[samples];
        long[] seq = {0};
        try (ContractSession session = engine.openSession(contract)) {
            runFor(() -> applyOne(session, w, index, seq[0]++), 3);
            for (int i = 0; i < samples; i++) {
                long t0 = System.nanoTime();
                engine.applyFresh(contract, index, w.op.apply(i), new Ack(ORIGIN, i, 1));
                long t1 = System.nanoTime();
                applyOne(session, w, index, seq[0]++);
                long t2 = System.nanoTime();
                fresh[i] = (t1 - t0) / 1e9;
                pooled[i] = (t2 - t1) / 1e9;
            }
        }
        return new double[] {Stats.median(fresh), Stats.median(pooled)};
    }

    /** Engine creation plus the first apply, in a JVM that has run nothing else. */
    public static double[] coldStartSeconds() throws Exception {
        long t0 = System.nanoTime();
        try (ContractEngine engine = ContractEngine.create(ContractLimits.defaults())) {
            Contract contract = engine.load(Workload.COUNTER.source());
            long t1 = System.nanoTime();
            engine.apply(contract, new MemoryIndex(), "{\"op\":\"INCREMENT\"}", new Ack(ORIGIN, 0, 0));
            long t2 = System.nanoTime();
            double uptime = java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() / 1e3;
            return new double[] {(t1 - t0) / 1e9, (t2 - t1) / 1e9, uptime};
        }
    }
}
