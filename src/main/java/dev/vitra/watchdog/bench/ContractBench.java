package dev.vitra.watchdog.bench;

import dev.vitra.watchdog.contract.Ack;
import dev.vitra.watchdog.contract.ApplyOutcome;
import dev.vitra.watchdog.contract.Contract;
import dev.vitra.watchdog.contract.ContractEngine;
import dev.vitra.watchdog.contract.ContractLimits;
import dev.vitra.watchdog.contract.ContractSession;
import dev.vitra.watchdog.contract.MemoryIndex;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

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
            try (InputStream in = ContractBench.class.getResourceAsStream("/dev/vitra/watchdog/bench/" + resource)) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private ContractBench() {
    }

    /** Applies ops in a loop on one session, committing changes to an in-memory index as a replay would. */
    public static double steadyAppliesPerSecond(ContractEngine engine, Workload w, double warmupSeconds,
            int rounds, double roundSeconds) throws Exception {
        Contract contract = engine.load(w.source());
        MemoryIndex index = new MemoryIndex();
        long[] seq = {0};
        try (ContractSession session = engine.openSession(contract)) {
            runFor(session, w, index, seq, warmupSeconds);
            List<Double> rates = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                long n = runFor(session, w, index, seq, roundSeconds);
                rates.add(n / ((System.nanoTime() - t0) / 1e9));
            }
            return Stats.median(rates.stream().mapToDouble(Double::doubleValue).toArray());
        }
    }

    private static long runFor(ContractSession session, Workload w, MemoryIndex index, long[] seq, double seconds) {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        long n = 0;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 100; i++) {
                applyOne(session, w, index, seq);
                n++;
            }
        }
        return n;
    }

    private static void applyOne(ContractSession session, Workload w, MemoryIndex index, long[] seq) {
        long s = seq[0]++;
        ApplyOutcome out = session.apply(index, w.op.apply(s), new Ack("a".repeat(64), s, 1_700_000_000_000L + s));
        if (!(out instanceof ApplyOutcome.Applied applied)) {
            throw new IllegalStateException("benchmark op failed: " + out);
        }
        index.apply(applied.changes(), s * 4);
    }

    /** Median seconds of one apply in a brand-new context versus on a reused one. */
    public static double[] freshVersusPooledSeconds(ContractEngine engine, Workload w, int samples) throws Exception {
        Contract contract = engine.load(w.source());
        MemoryIndex index = new MemoryIndex();
        double[] fresh = new double[samples];
        double[] pooled = new double[samples];
        long[] seq = {0};
        try (ContractSession session = engine.openSession(contract)) {
            runFor(session, w, index, seq, 3);
            for (int i = 0; i < samples; i++) {
                long t0 = System.nanoTime();
                engine.applyFresh(contract, index, w.op.apply(i), new Ack("a".repeat(64), i, 1));
                long t1 = System.nanoTime();
                applyOne(session, w, index, seq);
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
            engine.apply(contract, new MemoryIndex(), "{\"op\":\"INCREMENT\"}", new Ack("a".repeat(64), 0, 0));
            long t2 = System.nanoTime();
            double uptime = java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() / 1e3;
            return new double[] {(t1 - t0) / 1e9, (t2 - t1) / 1e9, uptime};
        }
    }
}
