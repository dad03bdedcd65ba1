package dev.vitra.watchdog.bench;

import dev.vitra.watchdog.audit.AuditSettings;
import dev.vitra.watchdog.audit.AuditTarget;
import dev.vitra.watchdog.audit.Auditor;
import dev.vitra.watchdog.config.ConfigLoader;
import dev.vitra.watchdog.config.WatchdogConfig;
import dev.vitra.watchdog.contract.ContractEngine;
import dev.vitra.watchdog.executor.Executor;
import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.service.WatchdogService;
import dev.vitra.watchdog.store.AuditStore;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bench monitors}: many small databases served by one local log server, polled by one watchdog service. The
 * service runs in a JVM of its own (what is measured is the watchdog alone); the baseline is the same passes run
 * back to back by a bare {@link Auditor} in that JVM, without scheduler, metrics or listener.
 */
public final class MonitorsBench {
    private static final String COMPLETE = "bench-monitors-complete";

    private MonitorsBench() {
    }

    /**
     * {@code count} databases of {@code ops} key/value ops each, built once under {@code cache}; their logs are linked
     * into {@code cache/served/logs/} so that one static server serves them all. Returns their index log ids.
     */
    public static List<LogId> databases(Path cache, int count, int ops, ContractEngine engine, PrintWriter progress)
            throws Exception {
        Path served = cache.resolve("served").resolve("logs");
        Files.createDirectories(served);
        List<LogId> ids = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
            Path dir = cache.resolve("db-" + i);
            Executor ex;
            if (Files.exists(dir.resolve(COMPLETE))) {
                ex = Executor.open(dir, engine, Clock.systemUTC());
            } else {
                dev.vitra.watchdog.util.FileTrees.delete(dir);
                ex = Executor.create(dir, AuditBench.contractSource(), 1, engine, Clock.systemUTC());
                AuditBench.grow(ex, ops, i);
                Files.writeString(dir.resolve(COMPLETE), ops + " ops\n");
            }
            ids.add(ex.indexLogId());
            List<LogId> logs = new ArrayList<>(ex.participants());
            logs.add(ex.indexLogId());
            for (LogId log : logs) {
                Path link = served.resolve(log.hex());
                if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.createSymbolicLink(link, dir.resolve("logs").resolve(log.hex()).toAbsolutePath());
                }
            }
            if (i % 100 == 99) {
                progress.printf("  databases: %,d of %,d (%.0f s)%n", i + 1, count, (System.nanoTime() - t0) / 1e9);
                progress.flush();
            }
        }
        return ids;
    }

    /** The config of the measured service: every database a monitor, polled every {@code interval} with as much jitter. */
    public static String config(Path store, String url, List<LogId> ids, Duration interval, int workers) {
        StringBuilder y = new StringBuilder();
        y.append("store:\n  h2-file: ").append(store).append("\nhttp:\n  listen: 127.0.0.1:0\nworkers: ").append(workers).append('\n');
        y.append("monitors:\n");
        String every = interval.toSeconds() + "s";
        for (int i = 0; i < ids.size(); i++) {
            y.append("  - {name: db-").append(i).append(", executor: '").append(url).append("', index-log: ")
                    .append(ids.get(i).hex()).append(", schedule: {every: ").append(every).append(", jitter: ").append(every)
                    .append("}, freshness-deadline: ").append(interval.toSeconds() * 3).append("s}\n");
        }
        return y.toString();
    }

    /** What one measured service run found. */
    public record Result(int databases, double initialSyncSeconds, long passes, double windowSeconds, double cpuSeconds,
            double heapAfterGcMb, double heapPeakMb, int threads, long barePasses, double bareCpuSeconds) {
        public double cores() {
            return cpuSeconds / windowSeconds;
        }

        public double cpuMsPerPass() {
            return cpuSeconds * 1000 / passes;
        }

        public double bareCpuMsPerPass() {
            return bareCpuSeconds * 1000 / barePasses;
        }

        public String line() {
            return databases + " " + initialSyncSeconds + " " + passes + " " + windowSeconds + " " + cpuSeconds + " " + heapAfterGcMb
                    + " " + heapPeakMb + " " + threads + " " + barePasses + " " + bareCpuSeconds;
        }

        public static Result parse(String line) {
            String[] f = line.trim().split(" ");
            return new Result(Integer.parseInt(f[0]), Double.parseDouble(f[1]), Long.parseLong(f[2]), Double.parseDouble(f[3]),
                    Double.parseDouble(f[4]), Double.parseDouble(f[5]), Double.parseDouble(f[6]), Integer.parseInt(f[7]),
                    Long.parseLong(f[8]), Double.parseDouble(f[9]));
        }
    }

    /**
     * In the child JVM: starts the service on {@code configFile}, waits until every monitor has finished a pass (the
     * initial sync), then measures {@code window} of steady polling; then the bare baseline.
     */
    public static Result measure(Path configFile, Duration window, PrintWriter progress) throws Exception {
        WatchdogConfig config = ConfigLoader.load(configFile);
        int n = config.monitors().size();
        long t0 = System.nanoTime();
        double initialSync;
        long passes;
        double cpu;
        double windowSeconds;
        double heapAfterGc;
        double heapPeak = 0;
        int threads;
        try (WatchdogService service = WatchdogService.start(config)) {
            while (service.scheduler().monitors().stream().anyMatch(m -> m.snapshot().passes() == 0)) {
                Thread.sleep(250);
            }
            initialSync = (System.nanoTime() - t0) / 1e9;
            progress.printf("  %,d monitors: initial sync (first pass of each) took %.1f s%n", n, initialSync);
            progress.flush();
            long passes0 = totalPasses(service);
            long cpu0 = processCpuNanos();
            long w0 = System.nanoTime();
            long end = w0 + window.toNanos();
            int samples = 0;
            int threadSum = 0;
            while (System.nanoTime() < end) {
                Thread.sleep(1000);
                heapPeak = Math.max(heapPeak, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0);
                threadSum += ManagementFactory.getThreadMXBean().getThreadCount();
                samples++;
            }
            cpu = (processCpuNanos() - cpu0) / 1e9;
            windowSeconds = (System.nanoTime() - w0) / 1e9;
            passes = totalPasses(service) - passes0;
            threads = Math.round((float) threadSum / samples);
            System.gc();
            heapAfterGc = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0;
        }
        // The baseline: one pass of every database, back to back, on the same (now verified) store.
        WatchdogConfig.Store.H2File h2 = (WatchdogConfig.Store.H2File) config.store();
        long bareCpu;
        try (AuditStore store = AuditStore.openH2(h2.file());
             ContractEngine engine = ContractEngine.create(dev.vitra.watchdog.contract.ContractLimits.defaults())) {
            Auditor auditor = new Auditor(store, engine, AuditSettings.defaults(), Clock.systemUTC());
            for (WatchdogConfig.Monitor m : config.monitors().subList(0, Math.min(n, 50))) {
                auditor.pass(new AuditTarget(m.indexLog(), m.executor()), line -> { }); // warm-up
            }
            long c0 = processCpuNanos();
            for (WatchdogConfig.Monitor m : config.monitors()) {
                auditor.pass(new AuditTarget(m.indexLog(), m.executor()), line -> { });
            }
            bareCpu = processCpuNanos() - c0;
        }
        return new Result(n, initialSync, passes, windowSeconds, cpu, heapAfterGc, heapPeak, threads, n, bareCpu / 1e9);
    }

    private static long totalPasses(WatchdogService service) {
        return service.scheduler().monitors().stream().mapToLong(m -> m.snapshot().passes()).sum();
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
