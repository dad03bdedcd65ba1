package dev.vitra.watchdog.cli;

import dev.vitra.watchdog.bench.ContractBench;
import dev.vitra.watchdog.contract.ContractEngine;
import dev.vitra.watchdog.contract.ContractLimits;
import dev.vitra.watchdog.contract.RuntimeMode;
import dev.vitra.watchdog.util.ChildJvm;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "contract", mixinStandardHelpOptions = true,
        description = "Contract runtime: steady-state applies/s on the optimizing runtime (this JVM) versus the"
                + " interpreter (a child JVM without JVMCI) and versus the contract's own JavaScript run bare (no sandbox"
                + " runtime around it: the ceiling on this engine), the cost of a fresh context, and cold start.")
final class BenchContractCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--warmup", defaultValue = "45", description = "warm-up seconds per contract (default ${DEFAULT-VALUE})")
    double warmup;

    @Option(names = "--rounds", defaultValue = "5", description = "measured rounds per contract, median taken (default ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--round-seconds", defaultValue = "2", description = "seconds per round (default ${DEFAULT-VALUE})")
    double roundSeconds;

    @Option(names = "--child", hidden = true, description = "internal: run one measurement and print RESULT lines")
    String child;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (child != null) {
            return runChild(out);
        }
        Map<String, String> interp = childJvm(false, "steady");
        Map<String, String> coldOpt = childJvm(true, "cold");
        Map<String, String> coldInt = childJvm(false, "cold");
        try (ContractEngine engine = ContractEngine.create(ContractLimits.defaults())) {
            out.printf("contract bench: %s, this JVM runs the %s runtime (%s); %.0f s warm-up, median of %d x %.0f s%n",
                    Runtime.version(), engine.mode().name().toLowerCase(), engine.implementationName(), warmup, rounds, roundSeconds);
            if (engine.mode() != RuntimeMode.OPTIMIZING) {
                out.println("  (no optimizing runtime here: run on JDK 25+ through ./vitra-watchdog for the comparison)");
            }
            for (ContractBench.Workload w : ContractBench.Workload.values()) {
                // The bare run must do the contract's work, no less: same changes as the runtime, op for op.
                ContractBench.checkBareMatchesRuntime(engine, w, java.util.stream.LongStream.range(0, 2_000));
            }
            out.println("  bare runs checked: the same changes as the runtime for ops 0-1999 of every contract");
            out.printf("  %-13s %18s %20s %8s %22s %13s%n", "contract", "this JVM (ops/s)", "interpreter (ops/s)", "ratio",
                    "bare JS (ops/s, us)", "runtime/bare");
            for (ContractBench.Workload w : ContractBench.Workload.values()) {
                ContractBench.RuntimeAndBare measured = ContractBench.steadyRuntimeAndBare(engine, w, warmup, rounds, roundSeconds);
                double rate = measured.runtime();
                double base = Double.parseDouble(interp.get(w.name()));
                out.printf("  %-13s %18.0f %20.0f %7.1fx %13.0f %6.1f us %13.2f%n", w.name().toLowerCase(), rate, base, rate / base,
                        measured.bare(), 1e6 / measured.bare(), measured.runtimeOverBare());
                out.flush();
            }
            double[] fp = ContractBench.freshVersusPooledSeconds(engine, ContractBench.Workload.COUNTER, 200);
            out.printf("  fresh context per apply: %.2f ms, reused context: %.1f us (%.0fx)%n", fp[0] * 1e3, fp[1] * 1e6, fp[0] / fp[1]);
            out.printf("  cold start, new JVM:  engine %.0f ms + first apply %.0f ms (JVM uptime %.1f s) optimizing;%n",
                    Double.parseDouble(coldOpt.get("engine")) * 1e3, Double.parseDouble(coldOpt.get("first")) * 1e3,
                    Double.parseDouble(coldOpt.get("uptime")));
            out.printf("                        engine %.0f ms + first apply %.0f ms (JVM uptime %.1f s) interpreter%n",
                    Double.parseDouble(coldInt.get("engine")) * 1e3, Double.parseDouble(coldInt.get("first")) * 1e3,
                    Double.parseDouble(coldInt.get("uptime")));
        }
        return ExitCodes.OK;
    }

    private int runChild(PrintWriter out) throws Exception {
        if (child.equals("cold")) {
            double[] c = ContractBench.coldStartSeconds();
            out.printf("RESULT engine %f%nRESULT first %f%nRESULT uptime %f%n", c[0], c[1], c[2]);
            return ExitCodes.OK;
        }
        try (ContractEngine engine = ContractEngine.create(ContractLimits.defaults())) {
            out.printf("RESULT mode %s%n", engine.mode());
            for (ContractBench.Workload w : ContractBench.Workload.values()) {
                out.printf("RESULT %s %f%n", w.name(), ContractBench.steadyAppliesPerSecond(engine, w, warmup, rounds, roundSeconds));
            }
        }
        return ExitCodes.OK;
    }

    /** Runs this command in a new JVM, with or without the JVMCI flags of this one, and reads its RESULT lines. */
    private Map<String, String> childJvm(boolean optimizing, String what) throws Exception {
        List<String> cmd = new ArrayList<>(ChildJvm.command(optimizing));
        cmd.addAll(List.of(Main.class.getName(), "bench", "contract",
                "--child", what, "--warmup", String.valueOf(warmup), "--rounds", String.valueOf(rounds),
                "--round-seconds", String.valueOf(roundSeconds)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        Map<String, String> results = new HashMap<>();
        StringBuilder all = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                all.append(line).append('\n');
                if (line.startsWith("RESULT ")) {
                    String[] parts = line.split(" ", 3);
                    results.put(parts[1], parts[2]);
                }
            }
        }
        if (p.waitFor() != 0) {
            throw new IllegalStateException("child benchmark JVM failed:\n" + all);
        }
        return results;
    }
}
