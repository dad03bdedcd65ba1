package dev.vitra.watchdog.cli;

import dev.vitra.watchdog.contract.ContractEngine;
import dev.vitra.watchdog.contract.ContractLimits;
import dev.vitra.watchdog.executor.Executor;
import dev.vitra.watchdog.executor.ExecutorServer;
import dev.vitra.watchdog.note.LogId;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "executor", mixinStandardHelpOptions = true,
        description = {"Run the honest reference executor of one Vitra database: create it (keys, genesis) in --data,",
                "or resume the one there, serve its logs and the participant API on loopback, and process ops."})
final class ExecutorCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--contract", paramLabel = "<file.js>", description = "the contract (needed to create a database)")
    Path contract;

    @Option(names = "--data", required = true, paramLabel = "<dir>", description = "database directory (keys, logs)")
    Path data;

    @Option(names = "--port", defaultValue = "0", description = "port on 127.0.0.1 (default: any free port)")
    int port;

    @Option(names = "--participants", defaultValue = "1", description = "participant oplogs to create (default ${DEFAULT-VALUE})")
    int participants;

    @Option(names = "--fault", paramLabel = "<MODE>", description = "start with this fault on (repeatable): ${COMPLETION-CANDIDATES}")
    java.util.List<dev.vitra.watchdog.executor.Fault> faults = new java.util.ArrayList<>();

    @Option(names = "--batch-ms", defaultValue = "200", description = "longest delay before new ops are processed (default ${DEFAULT-VALUE})")
    long batchMillis;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        boolean exists = Files.exists(data.resolve("database.properties"));
        if (!exists && contract == null) {
            err.println("error: " + data + " holds no database; give --contract to create one");
            return ExitCodes.USAGE;
        }
        try (ContractEngine engine = ContractEngine.create(ContractLimits.defaults())) {
            Executor executor = exists ? Executor.open(data, engine, Clock.systemUTC())
                    : Executor.create(data, Files.readString(contract, StandardCharsets.UTF_8), participants, engine, Clock.systemUTC());
            for (dev.vitra.watchdog.executor.Fault f : faults) {
                executor.setFault(f, true);
            }
            try (ExecutorServer server = ExecutorServer.start(executor,
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), port), Duration.ofMillis(batchMillis))) {
                out.printf("%s database in %s%n", exists ? "resumed" : "created", data);
                out.printf("  index log id  %s%n", executor.indexLogId().hex());
                out.printf("  index log URL %s%n", server.indexLogUrl());
                for (LogId p : executor.participants()) {
                    out.printf("  participant   %s%n", p.hex());
                }
                out.printf("  participant API: POST %s/databases/%s/call/<method> {\"participant\": \"<id>\", \"params\": {...}}%n",
                        server.baseUrl(), executor.indexLogId().hex());
                out.printf("  verify:  ./vitra-watchdog log verify %s --log-id %s%n", server.indexLogUrl(), executor.indexLogId().hex());
                out.printf("  faults:  %s (switch: POST %s/admin/faults/<MODE> {\"enabled\": true})%n",
                        executor.faults().isEmpty() ? "none" : executor.faults(), server.baseUrl());
                out.flush();
                new CountDownLatch(1).await();
            }
        }
        return ExitCodes.OK;
    }
}
