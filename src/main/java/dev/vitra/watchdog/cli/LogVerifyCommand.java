package dev.vitra.watchdog.cli;

import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.note.MalformedNoteException;
import dev.vitra.watchdog.note.NoteVerificationException;
import dev.vitra.watchdog.note.VerifierKey;
import dev.vitra.watchdog.tileclient.FetchException;
import dev.vitra.watchdog.tileclient.LogReader;
import dev.vitra.watchdog.tileclient.LogVerification;
import dev.vitra.watchdog.tileclient.LogVerificationException;
import dev.vitra.watchdog.tileclient.TileClient;
import dev.vitra.watchdog.tileclient.TileClientConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Fetch a log's checkpoint, verify its signature and prove every entry belongs to its tree;",
                "with --since, also prove the log is consistent with an older checkpoint."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:everything holds", "1:misbehaviour proven: two validly signed checkpoints that fork",
                "2:bad command line, or a local file that is unreadable or not what the option needs",
                "3:could not verify (network, corrupt or withheld tiles or bundles, bad or missing signatures,"
                        + " wrong origin, a checkpoint older than --since)"})
final class LogVerifyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "<prefix-url>", description = "URL under which checkpoint and tile/ are served")
    String prefix;

    @Option(names = "--vkey", paramLabel = "<vkey>",
            description = "trusted verifier key name+keyid+base64, or @file holding one; repeatable")
    List<String> vkeys = new ArrayList<>();

    @Option(names = "--log-id", paramLabel = "<hex>",
            description = "Vitra log id (64 hex): derives the origin vitra/v1/<id> and its only key")
    String logId;

    @Option(names = "--origin", description = "expected checkpoint origin (default: the first key's name)")
    String origin;

    @Option(names = "--since", paramLabel = "<old-checkpoint-file>",
            description = "an older signed checkpoint of this log; the new one must be consistent with it")
    Path since;

    @Option(names = "--out", paramLabel = "<file>",
            description = "after a successful verification, write the verified checkpoint here (chain it with --since)")
    Path out;

    @Option(names = "--parallel", defaultValue = "8", description = "concurrent HTTP requests (default ${DEFAULT-VALUE})")
    int parallel;

    @Option(names = "--timeout", defaultValue = "30", description = "read timeout in seconds (default ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @Option(names = "--quiet", description = "no progress output")
    boolean quiet;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<VerifierKey> keys = new ArrayList<>();
        String expectedOrigin = origin;
        for (String v : vkeys) {
            try {
                String text = v.startsWith("@") ? Files.readString(Path.of(v.substring(1)), StandardCharsets.UTF_8) : v;
                keys.add(VerifierKey.parse(text.strip()));
            } catch (IOException | IllegalArgumentException e) {
                return usage(err, "--vkey: " + e.getMessage());
            }
        }
        if (logId != null) {
            try {
                LogId id = LogId.parse(logId);
                keys.add(id.verifierKey());
                if (expectedOrigin == null) {
                    expectedOrigin = id.origin();
                }
            } catch (IllegalArgumentException e) {
                return usage(err, "--log-id: " + e.getMessage());
            }
        }
        if (keys.isEmpty()) {
            return usage(err, "give --vkey or --log-id: without a trusted key nothing can be verified");
        }
        if (expectedOrigin == null) {
            expectedOrigin = keys.get(0).name();
        }
        if (parallel < 1 || timeoutSeconds < 1) {
            return usage(err, "--parallel and --timeout must be positive");
        }
        TileClientConfig config = TileClientConfig.defaults().withParallelism(parallel)
                .withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(timeoutSeconds), Duration.ofSeconds(4L * timeoutSeconds));
        TileClient client;
        try {
            client = new TileClient(prefix, config);
        } catch (IllegalArgumentException e) {
            return usage(err, "<prefix-url>: " + e.getMessage());
        }
        Progress progress = new Progress(err, quiet);
        try (client) {
            LogReader reader = new LogReader(client, expectedOrigin, keys);
            Optional<byte[]> sinceBytes = Optional.empty();
            if (since != null) {
                byte[] raw;
                try {
                    raw = Files.readAllBytes(since);
                    reader.open(raw);
                } catch (IOException e) {
                    return usage(err, "--since: cannot read " + since + ": " + e.getMessage());
                } catch (MalformedNoteException | NoteVerificationException e) {
                    return usage(err, "--since: not a checkpoint of this log: " + e.getMessage());
                }
                sinceBytes = Optional.of(raw);
            }
            LogVerification.Result result = LogVerification.run(reader, sinceBytes, progress::update);
            progress.finish();
            if (out != null) {
                try {
                    writeAtomically(out, result.checkpoint().raw());
                } catch (IOException e) {
                    return usage(err, "--out: cannot write " + out + ": " + e.getMessage());
                }
            }
            var cp = result.checkpoint().checkpoint();
            stdout.printf("OK %s%n", prefix);
            stdout.printf("  origin      %s%n", cp.origin());
            stdout.printf("  size        %d%n", cp.size());
            stdout.printf("  root        %s%n", cp.root().toBase64());
            stdout.printf("  signed by   %s%n", result.checkpoint().verifiedBy().get(0).format());
            stdout.printf("  entries     %d proven to be in the tree%n", result.entriesVerified());
            result.consistency().ifPresent(p ->
                    stdout.printf("  consistent  with %s (size %d, proof of %d hashes)%n", since, p.oldSize(), p.path().size()));
            if (out != null) {
                stdout.printf("  written to  %s%n", out);
            }
            stdout.flush();
            return ExitCodes.OK;
        } catch (MalformedNoteException e) {
            return cannotVerify(err, progress, "malformed checkpoint from the server: " + e.getMessage());
        } catch (NoteVerificationException e) {
            String what = e.kind() == NoteVerificationException.Kind.WRONG_ORIGIN ? "wrong origin" : "checkpoint signature";
            return cannotVerify(err, progress, what + ": " + e.getMessage());
        } catch (LogVerificationException e) {
            if (e.kind() == LogVerificationException.Kind.FORK) {
                progress.finish();
                err.println("FORK: " + e.getMessage());
                return ExitCodes.MISBEHAVIOUR;
            }
            return cannotVerify(err, progress, e.kind().name().toLowerCase().replace('_', ' ') + ": " + e.getMessage());
        } catch (FetchException e) {
            return cannotVerify(err, progress, "fetch failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return cannotVerify(err, progress, "interrupted");
        }
    }

    private static int usage(PrintWriter err, String message) {
        err.println("error: " + message);
        return ExitCodes.USAGE;
    }

    private static int cannotVerify(PrintWriter err, Progress progress, String message) {
        progress.finish();
        err.println("CANNOT VERIFY: " + message);
        return ExitCodes.COULD_NOT_VERIFY;
    }

    private static void writeAtomically(Path target, byte[] data) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".checkpoint-", ".tmp");
        try {
            Files.write(tmp, data);
            Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Prints progress at most every two seconds, only for logs big enough to need it. */
    private static final class Progress {
        private final PrintWriter err;
        private final boolean quiet;
        private final long startNanos = System.nanoTime();
        private long lastPrint = System.nanoTime();
        private boolean printed;

        Progress(PrintWriter err, boolean quiet) {
            this.err = err;
            this.quiet = quiet;
        }

        void update(long done, long total) {
            long now = System.nanoTime();
            if (quiet || now - lastPrint < 2_000_000_000L) {
                return;
            }
            lastPrint = now;
            printed = true;
            double secs = (now - startNanos) / 1e9;
            err.printf("  verified %,d / %,d entries (%.1f%%), %,.0f entries/s%n", done, total,
                    total == 0 ? 100.0 : 100.0 * done / total, done / Math.max(secs, 1e-9));
            err.flush();
        }

        void finish() {
            if (printed) {
                err.flush();
            }
        }
    }
}
