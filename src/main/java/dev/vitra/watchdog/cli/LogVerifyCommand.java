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
        exitCodeList = {"0:everything holds", "1:the log failed verification (signature, proof, format, fork)",
                "2:bad command line or unreadable local file", "3:the log could not be fetched"})
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

    @Option(names = "--parallel", defaultValue = "8", description = "concurrent HTTP requests (default ${DEFAULT-VALUE})")
    int parallel;

    @Option(names = "--timeout", defaultValue = "30", description = "read timeout in seconds (default ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @Option(names = "--quiet", description = "no progress output")
    boolean quiet;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<VerifierKey> keys = new ArrayList<>();
        String expectedOrigin = origin;
        Optional<byte[]> sinceBytes = Optional.empty();
        try {
            for (String v : vkeys) {
                String text = v.startsWith("@") ? Files.readString(Path.of(v.substring(1)), StandardCharsets.UTF_8) : v;
                keys.add(VerifierKey.parse(text));
            }
            if (logId != null) {
                LogId id = LogId.parse(logId);
                keys.add(id.verifierKey());
                if (expectedOrigin == null) {
                    expectedOrigin = id.origin();
                }
            }
            if (keys.isEmpty()) {
                err.println("error: give --vkey or --log-id: without a trusted key nothing can be verified");
                return ExitCodes.USAGE;
            }
            if (expectedOrigin == null) {
                expectedOrigin = keys.get(0).name();
            }
            if (since != null) {
                sinceBytes = Optional.of(Files.readAllBytes(since));
            }
        } catch (IOException | IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return ExitCodes.USAGE;
        }

        TileClientConfig config = TileClientConfig.defaults().withParallelism(parallel)
                .withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(timeoutSeconds), Duration.ofSeconds(4L * timeoutSeconds));
        Progress progress = new Progress(err, quiet);
        try (TileClient client = new TileClient(prefix, config)) {
            LogReader reader = new LogReader(client, expectedOrigin, keys);
            LogVerification.Result result = LogVerification.run(reader, sinceBytes, progress::update);
            progress.finish();
            var cp = result.checkpoint().checkpoint();
            out.printf("OK %s%n", prefix);
            out.printf("  origin      %s%n", cp.origin());
            out.printf("  size        %d%n", cp.size());
            out.printf("  root        %s%n", cp.root().toBase64());
            out.printf("  signed by   %s%n", result.checkpoint().verifiedBy().get(0).format());
            out.printf("  entries     %d proven to be in the tree%n", result.entriesVerified());
            result.consistency().ifPresent(p ->
                    out.printf("  consistent  with %s (size %d, proof of %d hashes)%n", since, p.oldSize(), p.path().size()));
            out.flush();
            return ExitCodes.OK;
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return ExitCodes.USAGE;
        } catch (MalformedNoteException e) {
            progress.finish();
            err.println("FAIL: malformed checkpoint: " + e.getMessage());
            return ExitCodes.VERIFICATION_FAILED;
        } catch (NoteVerificationException e) {
            progress.finish();
            err.println("FAIL: checkpoint signature: " + e.getMessage());
            return ExitCodes.VERIFICATION_FAILED;
        } catch (LogVerificationException e) {
            progress.finish();
            err.println("FAIL: " + e.kind().name().toLowerCase().replace('_', ' ') + ": " + e.getMessage());
            return ExitCodes.VERIFICATION_FAILED;
        } catch (FetchException e) {
            progress.finish();
            err.println("UNAVAILABLE: " + e.getMessage());
            return ExitCodes.UNAVAILABLE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("interrupted");
            return ExitCodes.UNAVAILABLE;
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
