package dev.vitra.watchdog.cli;

import dev.vitra.watchdog.bench.LogVerifyBench;
import dev.vitra.watchdog.bench.TreeHashBench;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks whose figures docs/benchmarks.md reports, each as a ratio to a baseline measured in the same run.",
        subcommands = {BenchCommand.TreeHash.class, BenchCommand.LogVerify.class, BenchContractCommand.class,
                BenchAuditCommand.class, BenchMonitorsCommand.class})
final class BenchCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "tree-hash", mixinStandardHelpOptions = true,
            description = "RFC 6962 tree root over N entries versus plain SHA-256 over the same bytes.")
    static final class TreeHash implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--entries", defaultValue = "1000000")
        int entries;

        @Option(names = "--entry-size", defaultValue = "100")
        int entrySize;

        @Option(names = "--warmups", defaultValue = "3")
        int warmups;

        @Option(names = "--rounds", defaultValue = "7")
        int rounds;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            TreeHashBench.Report r = TreeHashBench.run(entries, entrySize, warmups, rounds);
            double mb = (double) entries * entrySize / 1e6;
            out.printf("tree-hash: %,d entries of %d bytes (%.0f MB), median of %d rounds after %d warm-ups, %s%n",
                    entries, entrySize, mb, rounds, warmups, Runtime.version());
            out.printf("  SHA-256 stream over all bytes   %8.3f s  %8.1f MB/s   1.00%n", r.medianStream(), mb / r.medianStream());
            out.printf("  SHA-256 once per entry          %8.3f s  %8.1f MB/s   %.2f%n", r.medianPerEntry(),
                    mb / r.medianPerEntry(), r.medianStream() / r.medianPerEntry());
            out.printf("  RFC 6962 tree root              %8.3f s  %8.1f MB/s   %.2f  (%,.0f entries/s)%n",
                    r.medianTree(), mb / r.medianTree(), r.medianStream() / r.medianTree(), entries / r.medianTree());
            out.printf("  tree / per-entry SHA-256 throughput: %.2f%n", r.medianPerEntry() / r.medianTree());
            out.printf("  root %s%n", r.root());
            return ExitCodes.OK;
        }
    }

    @Command(name = "log-verify", mixinStandardHelpOptions = true,
            description = "log verify over loopback against a log written by the tile writer, versus only downloading its tiles and bundles.")
    static final class LogVerify implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--entries", defaultValue = "1000000")
        long entries;

        @Option(names = "--entry-size", defaultValue = "100")
        int entrySize;

        @Option(names = "--warmups", defaultValue = "1")
        int warmups;

        @Option(names = "--rounds", defaultValue = "3")
        int rounds;

        @Option(names = "--parallel", defaultValue = "8")
        int parallel;

        @Option(names = "--dir", description = "where to write the log (default: a temporary directory, removed afterwards)")
        Path dir;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            Path work = dir != null ? dir : Files.createTempDirectory("vitra-bench-");
            try {
                LogVerifyBench.Report r = LogVerifyBench.run(work, entries, entrySize, warmups, rounds, parallel);
                out.printf("log-verify: %,d entries of %d bytes over loopback HTTP, %d parallel requests, median of %d rounds after %d warm-up(s), %s%n",
                        r.entries(), r.entrySize(), r.parallelism(), rounds, warmups, Runtime.version());
                out.printf("  tile writer: wrote the log in %.2f s (%,.0f entries/s)%n", r.writeSeconds(), r.entries() / r.writeSeconds());
                out.printf("  download only (bundles + tiles)  %8.3f s  %,10.0f entries/s  1.00%n",
                        r.medianDownload(), r.entries() / r.medianDownload());
                out.printf("  log verify                        %8.3f s  %,10.0f entries/s  %.2f%n",
                        r.medianVerify(), r.entries() / r.medianVerify(), r.medianDownload() / r.medianVerify());
                out.printf("  bytes downloaded per round: %,d%n", r.rounds().get(0).downloadBytes());
            } finally {
                if (dir == null) {
                    dev.vitra.watchdog.util.FileTrees.delete(work);
                }
            }
            return ExitCodes.OK;
        }
    }
}
