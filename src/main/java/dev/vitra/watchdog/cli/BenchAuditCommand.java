package dev.vitra.watchdog.cli;

import dev.vitra.watchdog.audit.AuditSettings;
import dev.vitra.watchdog.audit.AuditTarget;
import dev.vitra.watchdog.audit.Auditor;
import dev.vitra.watchdog.audit.PassReport;
import dev.vitra.watchdog.audit.Verdict;
import dev.vitra.watchdog.bench.AuditBench;
import dev.vitra.watchdog.contract.ContractEngine;
import dev.vitra.watchdog.contract.ContractLimits;
import dev.vitra.watchdog.executor.Executor;
import dev.vitra.watchdog.executor.ExecutorServer;
import dev.vitra.watchdog.store.AuditStore;
import dev.vitra.watchdog.util.ChildJvm;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "audit", mixinStandardHelpOptions = true,
        description = {"End-to-end audit of a key/value database served by the reference executor on loopback: a",
                "cold pass (a new process, from genesis), a warm pass (this JVM, after one warm-up pass), both against",
                "a bare replay of the same ops through the contract runtime (the baseline), then incremental passes of",
                "--increment new ops on a 1,000-op and on the --ops-op history, and peak heap. Databases are built",
                "once by the executor and cached in --cache."})
final class BenchAuditCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--ops", defaultValue = "100000", description = "ops in the large database (default ${DEFAULT-VALUE})")
    int ops;

    @Option(names = "--small-ops", defaultValue = "1000", description = "ops in the small database (default ${DEFAULT-VALUE})")
    int smallOps;

    @Option(names = "--participants", defaultValue = "4", description = "oplogs per database (default ${DEFAULT-VALUE})")
    int participants;

    @Option(names = "--increment", defaultValue = "100", description = "new ops per incremental pass (default ${DEFAULT-VALUE})")
    int increment;

    @Option(names = "--rounds", defaultValue = "9", description = "measured incremental passes per database and mode (default ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--warmup-rounds", defaultValue = "3", description = "unmeasured incremental passes first (default ${DEFAULT-VALUE})")
    int warmupRounds;

    @Option(names = "--parts", defaultValue = "cold,warm,incremental", split = ",",
            description = "which parts to run (default ${DEFAULT-VALUE})")
    List<String> parts;

    @Option(names = "--cold-heap", defaultValue = "512m", description = "-Xmx of the cold process (default ${DEFAULT-VALUE})")
    String coldHeap;

    @Option(names = "--cache", defaultValue = "target/bench-audit", description = "where databases are built and kept (default ${DEFAULT-VALUE})")
    Path cache;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path work = cache.resolve("work");
        dev.vitra.watchdog.util.FileTrees.delete(work);
        Files.createDirectories(work);
        try (ContractEngine engine = ContractEngine.create(ContractLimits.defaults())) {
            out.printf("bench audit: %,d-op and %,d-op key/value databases, %d participants, %s, %s runtime%n", ops, smallOps,
                    participants, Runtime.version(), engine.mode());
            Path bigBuilt = AuditBench.database(cache, ops, participants, engine, out);
            Path smallBuilt = AuditBench.database(cache, smallOps, participants, engine, out);
            Path bigDb = work.resolve("big");
            Path smallDb = work.resolve("small");
            AuditBench.copyTree(bigBuilt, bigDb);
            AuditBench.copyTree(smallBuilt, smallDb);
            Executor big = Executor.open(bigDb, engine, Clock.systemUTC());
            Executor small = Executor.open(smallDb, engine, Clock.systemUTC());
            InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
            try (ExecutorServer bigServer = ExecutorServer.start(big, loopback, Duration.ofDays(1));
                 ExecutorServer smallServer = ExecutorServer.start(small, loopback, Duration.ofDays(1))) {
                AuditTarget bigTarget = new AuditTarget(big.indexLogId(), bigServer.baseUrl());
                AuditTarget smallTarget = new AuditTarget(small.indexLogId(), smallServer.baseUrl());

                // Cold: a whole new process, as `audit` runs from cron; with the optimizing runtime and without.
                Cold cold = null;
                Cold coldInterpreter = null;
                if (parts.contains("cold")) {
                    cold = cold(bigTarget, work, true);
                    out.printf("cold   %s%n", cold);
                    coldInterpreter = cold(bigTarget, work, false);
                    out.printf("cold   %s%n", coldInterpreter);
                    out.flush();
                }

                // Warm: the baseline and the audit alternate, after one warm-up of each.
                if (parts.contains("warm")) {
                    AuditBench.bareReplay(bigDb, engine);
                    pass(engine, work.resolve("warmup.mv.db"), bigTarget);
                    long t0 = System.nanoTime();
                    long replayed = AuditBench.bareReplay(bigDb, engine);
                    double bareSeconds = (System.nanoTime() - t0) / 1e9;
                    resetHeapPeaks();
                    t0 = System.nanoTime();
                    PassReport warm = pass(engine, work.resolve("big.mv.db"), bigTarget);
                    double warmSeconds = (System.nanoTime() - t0) / 1e9;
                    long warmPeak = heapPeakBytes();
                    out.printf("warm   bare replay (baseline) %,d ops in %.1f s = %,.0f ops/s%n", replayed, bareSeconds,
                            replayed / bareSeconds);
                    out.printf("warm   audit                  %,d ops in %.1f s = %,.0f ops/s (%.2f of the baseline)%n",
                            warm.transactions(), warmSeconds, warm.transactions() / warmSeconds,
                            (warm.transactions() / warmSeconds) / (replayed / bareSeconds));
                    out.printf("warm   heap peak during the audit pass (sum of pool peaks, with the executor in the same JVM):"
                            + " %,d MB%n", warmPeak >> 20);
                    if (cold != null) {
                        out.printf("cold   audit / warm audit: %.2f optimizing, %.2f interpreter-only%n",
                                (cold.transactions / cold.seconds) / (warm.transactions() / warmSeconds),
                                (coldInterpreter.transactions / coldInterpreter.seconds) / (warm.transactions() / warmSeconds));
                    }
                    out.flush();
                } else {
                    pass(engine, work.resolve("big.mv.db"), bigTarget);
                }

                // Incremental: the same new work on a short and a long history, the store reopened for every pass (as
                // the audit command does) and kept open (as a service does); warm-up passes first, then alternating.
                if (parts.contains("incremental")) {
                    pass(engine, work.resolve("small.mv.db"), smallTarget);
                    long seed = 1000;
                    try (AuditStore smallStore = AuditStore.openH2(work.resolve("small-kept.mv.db"));
                         AuditStore bigStore = AuditStore.openH2(work.resolve("big-kept.mv.db"))) {
                        // The kept-open stores start from the same audited state: one full pass each.
                        pass(engine, smallStore, smallTarget);
                        pass(engine, bigStore, bigTarget);
                        double[][] times = new double[4][rounds];
                        for (int r = -warmupRounds; r < rounds; r++) {
                            AuditBench.grow(small, increment, seed++);
                            double smallReopened = incremental(engine, smallTarget, work.resolve("small.mv.db"), null);
                            double smallKept = incremental(engine, smallTarget, null, smallStore);
                            AuditBench.grow(big, increment, seed++);
                            double bigReopened = incremental(engine, bigTarget, work.resolve("big.mv.db"), null);
                            double bigKept = incremental(engine, bigTarget, null, bigStore);
                            if (r >= 0) {
                                times[0][r] = smallReopened;
                                times[1][r] = bigReopened;
                                times[2][r] = smallKept;
                                times[3][r] = bigKept;
                            }
                        }
                        String[] what = {"store reopened, " + smallOps, "store reopened, " + ops, "store kept open, " + smallOps,
                            "store kept open, " + ops};
                        for (int i = 0; i < 4; i++) {
                            out.printf("incr   %d new ops, %s-op history: median %.0f ms of %d passes %s%n", increment,
                                    what[i], median(times[i]) * 1e3, rounds, millis(times[i]));
                        }
                        out.printf("incr   long history / short history: %.2f store reopened, %.2f store kept open%n",
                                median(times[1]) / median(times[0]), median(times[3]) / median(times[2]));
                    }
                }
            }
        }
        return ExitCodes.OK;
    }

    private static PassReport pass(ContractEngine engine, Path store, AuditTarget target) throws Exception {
        try (AuditStore s = AuditStore.openH2(store)) {
            return pass(engine, s, target);
        }
    }

    private static PassReport pass(ContractEngine engine, AuditStore store, AuditTarget target) throws Exception {
        PassReport r = new Auditor(store, engine, AuditSettings.defaults(), Clock.systemUTC()).pass(target, line -> { });
        if (r.verdict() != Verdict.VERIFIED) {
            throw new IllegalStateException("the benchmark database did not verify: " + r);
        }
        return r;
    }

    /** Times one pass over the latest --increment ops: on a store opened for it, or on one kept open. */
    private double incremental(ContractEngine engine, AuditTarget target, Path storeFile, AuditStore kept) throws Exception {
        long t0 = System.nanoTime();
        PassReport r = kept != null ? pass(engine, kept, target) : pass(engine, storeFile, target);
        double s = (System.nanoTime() - t0) / 1e9;
        if (r.transactions() != increment) {
            throw new IllegalStateException("expected " + increment + " new transactions, the pass verified " + r.transactions());
        }
        return s;
    }

    /** The whole `audit` command in a new JVM: wall time, transactions, and the peak heap from its GC log. */
    private record Cold(double seconds, long transactions, long peakHeapMb, long peakLiveMb, String heap, boolean optimizing) {
        @Override
        public String toString() {
            return String.format("audit in a new process, %s runtime (-Xmx%s): %,d ops in %.1f s wall = %,.0f ops/s,"
                    + " heap at most %,d MB in use, at most %,d MB live after a collection", optimizing ? "optimizing"
                    : "interpreter-only", heap, transactions, seconds, transactions / seconds, peakHeapMb, peakLiveMb);
        }
    }

    private Cold cold(AuditTarget target, Path work, boolean optimizing) throws Exception {
        Path gcLog = work.resolve("gc-cold-" + optimizing + ".log");
        List<String> command = new ArrayList<>(ChildJvm.command(optimizing, "-Xmx" + coldHeap, "-Xlog:gc:file=" + gcLog));
        command.addAll(List.of(Main.class.getName(), "audit", "--executor", target.executorUrl(), "--index",
                target.index().hex(), "--db", work.resolve("cold-" + optimizing + ".mv.db").toString(), "--json", "--quiet"));
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectErrorStream(false).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String json = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = p.waitFor();
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (exit != 0) {
            throw new IllegalStateException("the cold audit exited " + exit + ": " + json);
        }
        Matcher m = Pattern.compile("\"transactions\":([0-9]+)").matcher(json);
        long transactions = m.find() ? Long.parseLong(m.group(1)) : 0;
        long peak = 0;
        long live = 0;
        Matcher gc = Pattern.compile("([0-9]+)M->([0-9]+)M\\(").matcher(Files.readString(gcLog));
        while (gc.find()) {
            peak = Math.max(peak, Long.parseLong(gc.group(1)));
            live = Math.max(live, Long.parseLong(gc.group(2)));
        }
        return new Cold(seconds, transactions, peak, live, coldHeap, optimizing);
    }

    private static void resetHeapPeaks() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
    }

    private static long heapPeakBytes() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static String millis(double[] values) {
        StringBuilder sb = new StringBuilder("[");
        for (double v : values) {
            sb.append(sb.length() > 1 ? ", " : "").append(Math.round(v * 1e3));
        }
        return sb.append("]").toString();
    }
}
