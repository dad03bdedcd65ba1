package dev.vitra.watchdog.cli;

import dev.vitra.watchdog.audit.AuditSettings;
import dev.vitra.watchdog.audit.ProofReplay;
import dev.vitra.watchdog.contract.ContractEngine;
import dev.vitra.watchdog.contract.ContractLimits;
import dev.vitra.watchdog.evidence.FraudProof;
import dev.vitra.watchdog.evidence.InvalidProofException;
import dev.vitra.watchdog.evidence.ProofCodec;
import dev.vitra.watchdog.evidence.ProofVerifier;
import dev.vitra.watchdog.executor.StaticLogServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "verify-proof", mixinStandardHelpOptions = true,
        description = {"Check a fraud proof (vitra-fraud-proof/1, docs/evidence.md) with nothing but the log ids in it:",
                "every signature, inclusion and consistency proof, and that the entries say what the claim says.",
                "Prints what is proven and what only a replay can confirm. --replay rebuilds the state by auditing the",
                "logs up to exactly the checkpoints the proof names, re-runs the op on a fresh contract instance and",
                "confirms the code."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the proof holds: PROVEN, or HOLDS OFFLINE when part of the claim needs --replay (and, with"
                        + " --replay, the replay confirms it: PROVEN)",
                "1:the proof is invalid (the first failed check is named) or the replay refutes it",
                "2:bad command line, or the proof file cannot be read",
                "3:--replay could not confirm it: data missing or unverifiable (not the same as invalid)"})
final class VerifyProofCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "<proof.json>", description = "the proof document")
    Path file;

    @Option(names = "--replay", description = "also replay the logs the proof names and re-run the op")
    boolean replay;

    @Option(names = "--executor", paramLabel = "<url>", description = "with --replay: fetch the logs from <url>/logs/<id>")
    String executor;

    @Option(names = "--logs", paramLabel = "<dir>",
            description = "with --replay: read the logs from a local copy laid out as <dir>/logs/<id>/... (an archive or an"
                    + " executor's data directory)")
    Path logs;

    @Option(names = "--quiet", description = "no replay progress on stderr")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!replay && (executor != null || logs != null)) {
            return usage(err, (executor != null ? "--executor" : "--logs") + " only goes with --replay");
        }
        if (replay && (executor == null) == (logs == null)) {
            return usage(err, "--replay needs exactly one of --executor <url> and --logs <dir>");
        }
        if (executor != null && okhttp3.HttpUrl.parse(executor) == null) {
            return usage(err, "--executor: not an http(s) URL: \"" + executor + "\"");
        }
        if (logs != null && !Files.isDirectory(logs.resolve("logs"))) {
            return usage(err, "--logs: " + logs + " has no logs/ directory");
        }
        byte[] document;
        try {
            document = read(file);
        } catch (IOException e) {
            return usage(err, "cannot read " + file + ": " + e.getMessage());
        } catch (InvalidProofException e) {
            return invalid(out, e);
        }
        ProofVerifier.Verified verified;
        try {
            verified = ProofVerifier.verify(document);
        } catch (InvalidProofException e) {
            return invalid(out, e);
        }
        FraudProof proof = verified.proof();
        // "PROVEN" only for what signed material shows on its own; a claim that rests on the index's layout or the
        // contract's output holds offline and is proven once a replay confirms it.
        boolean complete = verified.needsReplay().isEmpty();
        out.printf("%s  %s  proof %s%n", complete ? "PROVEN" : "HOLDS OFFLINE", proof.code(), ProofCodec.id(document));
        verified.proven().forEach(line -> out.printf("  proven        %s%n", line));
        verified.needsReplay().forEach(line -> out.printf("  needs replay  %s%n", line));
        verified.unless().forEach(line -> out.printf("  unless        %s%n", line));
        if (!replay) {
            if (!complete) {
                out.println("  not yet proven: run with --replay to confirm the lines above marked \"needs replay\"");
            }
            out.flush();
            return ExitCodes.OK;
        }
        if (!(proof instanceof FraudProof.Breach breach)) {
            out.println("  replay        nothing to replay: a fork is proven by its two signed notes alone");
            out.flush();
            return ExitCodes.OK;
        }
        out.flush();
        ProofReplay.Result result;
        try (ContractEngine engine = ContractEngine.create(ContractLimits.defaults())) {
            if (logs != null) {
                try (StaticLogServer server = StaticLogServer.start(logs,
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
                    result = inDirectory(ProofReplay.replay(breach, server.baseUrl(), engine, AuditSettings.defaults(),
                            progress(err)), server.baseUrl(), logs);
                }
            } else {
                result = ProofReplay.replay(breach, executor, engine, AuditSettings.defaults(), progress(err));
            }
        }
        switch (result) {
            case ProofReplay.Result.Confirmed c -> out.printf("  replay        CONFIRMED: %s%nPROVEN  %s%n",
                    c.explanation(), proof.code());
            case ProofReplay.Result.Refuted r -> out.printf("  replay        REFUTED: %s%n", r.explanation());
            case ProofReplay.Result.CannotConfirm c -> out.printf("  replay        CANNOT CONFIRM: %s%n", c.explanation());
        }
        out.flush();
        return switch (result) {
            case ProofReplay.Result.Confirmed c -> ExitCodes.OK;
            case ProofReplay.Result.Refuted r -> ExitCodes.MISBEHAVIOUR;
            case ProofReplay.Result.CannotConfirm c -> ExitCodes.COULD_NOT_VERIFY;
        };
    }

    /** The archive is served on loopback only to reuse the audit: what could not be read is named by its file. */
    private static ProofReplay.Result inDirectory(ProofReplay.Result result, String baseUrl, Path logs) {
        String dir = logs.toAbsolutePath().normalize().toString();
        return switch (result) {
            case ProofReplay.Result.CannotConfirm c -> new ProofReplay.Result.CannotConfirm(c.explanation().replace(baseUrl, dir));
            default -> result;
        };
    }

    private java.util.function.Consumer<String> progress(PrintWriter err) {
        return line -> {
            if (!quiet) {
                err.println("replay: " + line);
                err.flush();
            }
        };
    }

    /** Reads at most the format's limit: a larger file is refused without reading it all. */
    private static byte[] read(Path file) throws IOException, InvalidProofException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] data = in.readNBytes(ProofCodec.MAX_BYTES + 1);
            if (data.length > ProofCodec.MAX_BYTES) {
                throw new InvalidProofException("size", "more than the limit of " + ProofCodec.MAX_BYTES + " bytes");
            }
            return data;
        }
    }

    private static int invalid(PrintWriter out, InvalidProofException e) {
        out.printf("INVALID  %s%n", e.getMessage());
        out.flush();
        return ExitCodes.MISBEHAVIOUR;
    }

    private static int usage(PrintWriter err, String message) {
        err.println("error: " + message);
        err.flush();
        return ExitCodes.USAGE;
    }
}
