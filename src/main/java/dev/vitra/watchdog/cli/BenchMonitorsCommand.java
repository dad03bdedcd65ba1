package dev.vitra.watchdog.cli;

import dev.vitra.watchdog.bench.MonitorsBench;
import dev.vitra.watchdog.contract.ContractEngine;
import dev.vitra.watchdog.contract.ContractLimits;
import dev.vitra.watchdog.executor.StaticLogServer;
import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.util.ChildJvm;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "monitors", mixinStandardHelpOptions = true,
        description = {"N small databases served by one local log server, polled by one watchdog service (run) in a JVM",
                "of its own: CPU per pass and in cores, heap and threads, against the same passes run back to back by a",
                "bare auditor (the baseline) in that JVM. Figures in docs/benchmarks.md."})
final class BenchMonitorsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--databases", defaultValue = "100,1000", split = ",", description = "database counts to run (default ${DEFAULT-VALUE})")
    List<Integer> databases;

    @Option(names = "--ops", defaultValue = "20", description = "key/value ops per database (default ${DEFAULT-VALUE})")
    int ops;

    @Option(names = "--interval", defaultValue = "30s", converter = AuditCommand.DurationConverter.class,
            description = "poll interval of every monitor, also its jitter (default ${DEFAULT-VALUE})")
    Duration interval;

    @Option(names = "--window", defaultValue = "120s", converter = AuditCommand.DurationConverter.class,
            description = "measured steady state after the initial sync (default ${DEFAULT-VALUE})")
    Duration window;

    @Option(names = "--workers", defaultValue = "4", description = "the service's worker pool (default ${DEFAULT-VALUE})")
    int workers;

    @Option(names = "--heap", defaultValue = "2g", description = "-Xmx of the service's JVM (default ${DEFAULT-VALUE})")
    String heap;

    @Option(names = "--cache", defaultValue = "target/bench-monitors", description = "where databases are built and kept")
    Path cache;

    @Option(names = "--child", hidden = true)
    Path childConfig;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (childConfig != null) {
            MonitorsBench.Result r = MonitorsBench.measure(childConfig, window, new PrintWriter(System.err, true));
            out.println("RESULT " + r.line());
            out.flush();
            return ExitCodes.OK;
        }
        int most = databases.stream().mapToInt(Integer::intValue).max().orElse(0);
        List<LogId> ids;
        Files.createDirectories(cache);
        try (ContractEngine engine = ContractEngine.create(ContractLimits.defaults())) {
            out.printf("bench monitors: up to %,d databases of %d ops, polled every %s (jitter as much), %d workers, -Xmx%s, %s%n",
                    most, ops, interval, workers, heap, Runtime.version());
            out.flush();
            ids = MonitorsBench.databases(cache.resolve(ops + "-ops"), most, ops, engine, out);
        }
        List<MonitorsBench.Result> results = new ArrayList<>();
        try (StaticLogServer server = StaticLogServer.start(cache.resolve(ops + "-ops").resolve("served"),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            for (int n : databases) {
                Path run = cache.resolve("run-" + n);
                dev.vitra.watchdog.util.FileTrees.delete(run);
                Files.createDirectories(run);
                Path config = run.resolve("monitors.yaml");
                Files.writeString(config, MonitorsBench.config(run.resolve("watchdog.mv.db"), server.baseUrl(), ids.subList(0, n),
                        interval, workers));
                List<String> cmd = new ArrayList<>(ChildJvm.command(true, "-Xmx" + heap));
                cmd.addAll(List.of(Main.class.getName(), "bench", "monitors", "--child", config.toString(), "--window",
                        window.toSeconds() + "s"));
                Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
                MonitorsBench.Result r = null;
                try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        if (line.startsWith("RESULT ")) {
                            r = MonitorsBench.Result.parse(line.substring(7));
                        }
                    }
                }
                if (p.waitFor() != 0 || r == null) {
                    out.println("error: the service run for " + n + " databases failed");
                    return ExitCodes.COULD_NOT_VERIFY;
                }
                results.add(r);
                out.printf("  %,5d databases: initial sync %.0f s; steady state over %.0f s: %,d passes, %.3f cores, %.1f ms CPU per pass"
                        + " (bare auditor %.1f ms, ratio %.2f), heap %.0f MB after GC (peak %.0f MB), %d threads%n", n,
                        r.initialSyncSeconds(), r.windowSeconds(), r.passes(), r.cores(), r.cpuMsPerPass(), r.bareCpuMsPerPass(),
                        r.cpuMsPerPass() / r.bareCpuMsPerPass(), r.heapAfterGcMb(), r.heapPeakMb(), r.threads());
                out.flush();
            }
        }
        return ExitCodes.OK;
    }
}
