package dev.vitra.watchdog.cli;

import dev.vitra.watchdog.executor.StaticLogServer;
import dev.vitra.watchdog.merkle.ConsistencyProof;
import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.note.SignedCheckpoint;
import dev.vitra.watchdog.note.SignerKey;
import dev.vitra.watchdog.tileclient.LogReader;
import dev.vitra.watchdog.tileclient.TileClient;
import dev.vitra.watchdog.tileclient.TileClientConfig;
import dev.vitra.watchdog.tilewriter.LogDirectory;
import dev.vitra.watchdog.tilewriter.TileWriter;
import dev.vitra.watchdog.util.KeyFiles;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Grow a Vitra-style log with the tile writer, serve it on loopback and check every step",
                "over HTTP: each new checkpoint's signature, its consistency with the previous one, and every new",
                "entry. Re-running resumes the same log from --dir."})
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--dir", defaultValue = "data/demo", description = "where the log and its key live (default ${DEFAULT-VALUE})")
    Path dir;

    @Option(names = "--entries", defaultValue = "3000", description = "entries to append (default ${DEFAULT-VALUE})")
    long entries;

    @Option(names = "--batch", defaultValue = "700", description = "entries per checkpoint (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--port", defaultValue = "0", description = "loopback port to serve on (default: any free port)")
    int port;

    @Option(names = "--serve", description = "keep serving the log afterwards, until interrupted")
    boolean serve;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        SignerKey signer = KeyFiles.loadOrCreateLogKey(dir.resolve("log.key"));
        LogId logId = new LogId(signer.publicKey());
        LogDirectory logDir = new LogDirectory(dir.resolve("logs").resolve(logId.hex()));
        TileWriter writer = TileWriter.open(logDir, signer, logId.origin());
        try (StaticLogServer server = StaticLogServer.start(dir, new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
             TileClient client = new TileClient(server.baseUrl() + "/logs/" + logId.hex(), TileClientConfig.defaults())) {
            String prefix = client.prefix().toString();
            out.printf("demo log %s%n  served at %s%n  starting at size %d%n", logId.origin(), prefix, writer.size());
            LogReader reader = new LogReader(client, logId.origin(), List.of(logId.verifierKey()));
            SignedCheckpoint previous = reader.latestCheckpoint();
            long target = writer.size() + entries;
            while (writer.size() < target) {
                long from = writer.size();
                long upTo = Math.min(target, from + batch);
                for (long i = from; i < upTo; i++) {
                    String entry = "{\"type\":\"put\",\"path\":\"/demo/" + i + "\",\"value\":" + i + "}";
                    writer.append(entry.getBytes(StandardCharsets.UTF_8));
                }
                writer.publish();
                SignedCheckpoint latest = reader.latestCheckpoint();
                ConsistencyProof proof = reader.proveConsistency(previous, latest);
                AtomicLong proven = new AtomicLong();
                reader.readEntries(latest, previous.size(), latest.size(), (index, e) -> proven.incrementAndGet());
                out.printf("  size %6d: signature ok, consistent with size %d (%d-hash proof), %d new entries proven%n",
                        latest.size(), previous.size(), proof.path().size(), proven.get());
                out.flush();
                previous = latest;
            }
            out.printf("%nCheck it independently while it is served:%n  ./vitra-watchdog log verify %s --log-id %s%n",
                    prefix, logId.hex());
            if (serve) {
                out.printf("Serving until interrupted (Ctrl-C).%n");
                out.flush();
                new CountDownLatch(1).await();
            }
        }
        return ExitCodes.OK;
    }
}
