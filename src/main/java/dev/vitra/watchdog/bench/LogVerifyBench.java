package dev.vitra.watchdog.bench;

import dev.vitra.watchdog.executor.StaticLogServer;
import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.note.SignerKey;
import dev.vitra.watchdog.tileclient.LogReader;
import dev.vitra.watchdog.tileclient.LogVerification;
import dev.vitra.watchdog.tileclient.TileClient;
import dev.vitra.watchdog.tileclient.TileClientConfig;
import dev.vitra.watchdog.tiles.HashTileId;
import dev.vitra.watchdog.tiles.TileLayout;
import dev.vitra.watchdog.tiles.TileResource;
import dev.vitra.watchdog.tilewriter.LogDirectory;
import dev.vitra.watchdog.tilewriter.TileWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

/**
 * {@code log verify} over loopback against a log the tile writer made, compared with downloading the same
 * resources (every bundle and the tiles the proofs read) with the same client and parallelism, no checking.
 */
public final class LogVerifyBench {
    public record Round(double downloadSeconds, double verifySeconds, long downloadBytes) {
    }

    public record Report(long entries, int entrySize, double writeSeconds, List<Round> rounds, int parallelism) {
        public double medianDownload() {
            return Stats.median(rounds.stream().mapToDouble(Round::downloadSeconds).toArray());
        }

        public double medianVerify() {
            return Stats.median(rounds.stream().mapToDouble(Round::verifySeconds).toArray());
        }
    }

    private LogVerifyBench() {
    }

    public static Report run(Path workDir, long entries, int entrySize, int warmups, int rounds, int parallelism)
            throws Exception {
        SignerKey signer = LogId.signerFor(new byte[32]);
        LogId id = new LogId(signer.publicKey());
        Path root = Files.createDirectories(workDir);
        LogDirectory dir = new LogDirectory(root.resolve("logs").resolve(id.hex()));
        long w0 = System.nanoTime();
        TileWriter writer = TileWriter.open(dir, signer, id.origin());
        SplittableRandom random = new SplittableRandom(7);
        byte[] entry = new byte[entrySize];
        for (long i = writer.size(); i < entries; i++) {
            random.nextBytes(entry);
            writer.append(entry);
        }
        writer.publish();
        double writeSeconds = (System.nanoTime() - w0) / 1e9;

        List<TileResource> resources = new ArrayList<>(TileLayout.bundles(0, entries, entries));
        for (HashTileId t : TileLayout.allTiles(entries)) {
            if (t.level() > 0 || t.isPartial()) {
                resources.add(t);
            }
        }
        TileClientConfig config = TileClientConfig.defaults().withParallelism(parallelism);
        List<Round> results = new ArrayList<>();
        try (StaticLogServer server = StaticLogServer.start(root, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            String prefix = server.baseUrl() + "/logs/" + id.hex();
            for (int r = 0; r < warmups + rounds; r++) {
                long t0 = System.nanoTime();
                long bytes;
                try (TileClient client = new TileClient(prefix, config)) {
                    client.fetchCheckpoint();
                    List<CompletableFuture<byte[]>> window = new ArrayList<>();
                    for (TileResource res : resources) {
                        window.add(client.readAsync(res));
                        if (window.size() >= 2 * parallelism) {
                            window.remove(0).join();
                        }
                    }
                    window.forEach(CompletableFuture::join);
                    bytes = client.bytesFetched();
                }
                long t1 = System.nanoTime();
                try (TileClient client = new TileClient(prefix, config)) {
                    LogReader reader = new LogReader(client, id.origin(), List.of(id.verifierKey()));
                    LogVerification.Result result = LogVerification.run(reader, Optional.empty(), (d, t) -> { });
                    if (result.entriesVerified() != entries) {
                        throw new IllegalStateException("verified " + result.entriesVerified() + " of " + entries);
                    }
                }
                long t2 = System.nanoTime();
                if (r >= warmups) {
                    results.add(new Round((t1 - t0) / 1e9, (t2 - t1) / 1e9, bytes));
                }
            }
        }
        return new Report(entries, entrySize, writeSeconds, results, parallelism);
    }
}
