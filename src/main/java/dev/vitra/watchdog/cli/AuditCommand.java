package dev.vitra.watchdog.cli;

import dev.vitra.watchdog.audit.AuditSettings;
import dev.vitra.watchdog.audit.AuditTarget;
import dev.vitra.watchdog.audit.Auditor;
import dev.vitra.watchdog.audit.PassReport;
import dev.vitra.watchdog.contract.ContractEngine;
import dev.vitra.watchdog.contract.ContractLimits;
import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.protocol.Json;
import dev.vitra.watchdog.protocol.JsonValue;
import dev.vitra.watchdog.store.AuditStore;
import dev.vitra.watchdog.store.Rows;
import dev.vitra.watchdog.store.StoreException;
import dev.vitra.watchdog.store.StoreSession;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "audit", mixinStandardHelpOptions = true,
        description = {"One audit pass over a Vitra database: verify its index log and every oplog that was ever a",
                "participant (signatures, consistency with what was verified before, every new entry), then replay",
                "every new transaction through the contract and check it (PROTOCOL §5). Resumes from --db; prints a",
                "summary and every new finding (the §5 code verbatim); progress goes to stderr. See docs/audit.md."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:everything the logs hold so far is verified",
                "1:misbehaviour proven by signed material (a contract breach or a fork), now or by an earlier pass",
                "2:bad command line, or a store file that cannot be opened",
                "3:something could not be verified this pass (network, corrupt or withheld data, our own limits,"
                        + " a deadline passed)",
                "4:verified as far as possible; the rest is pending (an op not yet published, a transaction cut short)"})
final class AuditCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--executor", required = true, paramLabel = "<url>",
            description = "the executor's base URL; logs are under <url>/logs/<log id>")
    String executor;

    @Option(names = "--index", required = true, paramLabel = "<log id>", description = "the database's index log id (64 hex)")
    String index;

    @Option(names = "--db", defaultValue = "data/watchdog.mv.db", paramLabel = "<file>",
            description = "the audit store, an H2 file (default ${DEFAULT-VALUE})")
    Path db;

    @Option(names = "--oplog-base", paramLabel = "<id>=<url>",
            description = "fetch this oplog from another base URL (participants may host their own); repeatable")
    List<String> oplogBases = new ArrayList<>();

    @Option(names = "--contract-time-budget", defaultValue = "5s", paramLabel = "<duration>", converter = DurationConverter.class,
            description = "wall-clock time per contract call (default ${DEFAULT-VALUE}; a confirming re-run in a new context gets "
                    + ContractEngine.FRESH_BUDGET_FACTOR + "x): a transaction past it is ReplayAborted, never a verdict")
    Duration contractTimeBudget;

    @Option(names = "--pending-deadline", defaultValue = "1h", paramLabel = "<duration>", converter = DurationConverter.class,
            description = "how long an op may stay unpublished (or published but unprocessed) before it is an availability"
                    + " finding: 90s, 15m, 1h, 2d or ISO-8601 (default ${DEFAULT-VALUE})")
    Duration pendingDeadline;

    @Option(names = "--accept-fork", paramLabel = "<oplog id>",
            description = "resolve the open fork of this oplog by following the version served now; repeatable")
    List<String> acceptForks = new ArrayList<>();

    @Option(names = "--max-growth", defaultValue = "67108864", paramLabel = "<entries>",
            description = "the most entries one log may have grown by for one pass to verify it (default ${DEFAULT-VALUE})")
    long maxGrowth;

    @Option(names = "--chunk", defaultValue = "1000", paramLabel = "<n>",
            description = "commit progress at least every n transactions (default ${DEFAULT-VALUE})")
    int chunk;

    @Option(names = "--proofs", paramLabel = "<dir>",
            description = "write the proof of every open fraud finding to <dir>/<proof id>.json (docs/evidence.md);"
                    + " check one with verify-proof")
    Path proofs;

    @Option(names = "--json", description = "print the result as one JSON object (docs/audit.md) instead of text")
    boolean json;

    @Option(names = "--quiet", description = "no progress on stderr")
    boolean quiet;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        LogId indexLog;
        Map<LogId, String> bases = new LinkedHashMap<>();
        Set<LogId> accept = new LinkedHashSet<>();
        try {
            indexLog = LogId.parse(index);
        } catch (IllegalArgumentException e) {
            return usage(err, "--index: " + e.getMessage());
        }
        for (String base : oplogBases) {
            int eq = base.indexOf('=');
            if (eq < 0) {
                return usage(err, "--oplog-base: expected <oplog id>=<url>, got \"" + base + "\"");
            }
            LogId oplog;
            try {
                oplog = LogId.parse(base.substring(0, eq));
                if (bases.put(oplog, checkUrl(base.substring(eq + 1))) != null) {
                    return usage(err, "--oplog-base: " + oplog.hex() + " is given twice");
                }
            } catch (IllegalArgumentException e) {
                return usage(err, "--oplog-base: " + e.getMessage());
            }
            if (oplog.equals(indexLog)) {
                return usage(err, "--oplog-base: " + oplog.hex() + " is the index log, which is fetched from --executor");
            }
        }
        for (String id : acceptForks) {
            try {
                accept.add(LogId.parse(id));
            } catch (IllegalArgumentException e) {
                return usage(err, "--accept-fork: " + e.getMessage());
            }
        }
        try {
            checkUrl(executor);
        } catch (IllegalArgumentException e) {
            return usage(err, "--executor: " + e.getMessage());
        }
        if (chunk < 1) {
            return usage(err, "--chunk must be positive");
        }
        if (maxGrowth < 1) {
            return usage(err, "--max-growth must be positive");
        }
        if (contractTimeBudget.isNegative() || contractTimeBudget.isZero()) {
            return usage(err, "--contract-time-budget must be positive");
        }
        if (pendingDeadline.isNegative()) {
            return usage(err, "--pending-deadline must not be negative");
        }
        if (proofs != null) {
            try {
                Files.createDirectories(proofs);
            } catch (IOException e) {
                return usage(err, "--proofs: cannot create the directory " + proofs + ": " + e.getMessage());
            }
        }
        AuditStore store;
        try {
            store = AuditStore.openH2(db);
        } catch (StoreException e) {
            return usage(err, "--db: " + e.getMessage());
        }
        AuditSettings settings = AuditSettings.defaults().withPendingDeadline(pendingDeadline)
                .withChunks(chunk, AuditSettings.defaults().chunkInterval()).withMaxGrowth(maxGrowth);
        AuditTarget target = new AuditTarget(indexLog, executor, bases, accept);
        PassReport report;
        try (store; ContractEngine engine = ContractEngine.create(ContractLimits.defaults().withTimeBudget(contractTimeBudget))) {
            Auditor auditor = new Auditor(store, engine, settings, Clock.systemUTC());
            report = auditor.pass(target, line -> {
                if (!quiet) {
                    err.println("audit: " + line);
                    err.flush();
                }
            });
            if (proofs != null) {
                writeProofs(store, report, err);
            }
        } catch (IOException e) {
            err.println("error: --proofs: " + e.getMessage());
            return ExitCodes.USAGE;
        } catch (StoreException e) {
            err.println("error: the audit store failed: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        if (json) {
            out.println(Json.write(toJson(report)));
        } else {
            printText(out, report, executor);
        }
        out.flush();
        return report.verdict().exitCode();
    }

    /** One file per open fraud finding, named by its proof's id; an existing file with that name is the same proof. */
    private void writeProofs(AuditStore store, PassReport report, PrintWriter err) throws IOException {
        try (StoreSession session = store.session()) {
            for (Rows.Finding f : report.openFindings()) {
                if (f.proofId().isEmpty()) {
                    continue;
                }
                byte[] proof = session.proof(f.id()).orElseThrow();
                Path file = proofs.resolve(f.proofId().get() + ".json");
                if (!Files.exists(file)) {
                    Path tmp = Files.createTempFile(proofs, ".proof", ".tmp");
                    Files.write(tmp, proof);
                    Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                }
                if (!quiet) {
                    err.println("audit: proof of " + f.code() + " written to " + file);
                }
            }
        }
    }

    private static String checkUrl(String url) {
        if (okhttp3.HttpUrl.parse(url) == null) {
            throw new IllegalArgumentException("not an http(s) URL: \"" + url + "\"");
        }
        return url;
    }

    private static int usage(PrintWriter err, String message) {
        err.println("error: " + message);
        return ExitCodes.USAGE;
    }

    private static void printText(PrintWriter out, PassReport r, String executor) {
        out.printf("%s  database %s at %s%n", r.verdict(), r.index().hex(), executor);
        out.printf("  status      %s%n", r.status().name().toLowerCase());
        out.printf("  verified    index entries 0..%d of %d%s%n", r.verifiedPosition() - 1, r.indexSize(),
                r.verifiedPosition() < r.indexSize() ? " (stopped at " + r.verifiedPosition() + ")" : "");
        for (PassReport.LogPosition p : r.logs()) {
            if (p.role() == Rows.LogRole.INDEX) {
                out.printf("  index       %s  checkpoint size %d%n", p.log().hex(), p.verifiedSize());
            } else {
                out.printf("  oplog       %s  checkpoint size %d, next op %d, %s%n", p.log().hex(), p.verifiedSize(),
                        p.nextSeq(), p.active() ? "active" : "not active");
            }
        }
        out.printf("  this pass   %d transactions verified in %.1f s%n", r.transactions(), r.duration().toMillis() / 1000.0);
        r.notes().forEach(n -> out.printf("  note        %s%n", n));
        out.printf("  new findings: %d%n", r.newFindings().size());
        for (Rows.Finding f : r.newFindings()) {
            out.printf("    %s %s%s: %s%n", f.kind().toUpperCase(), f.code(),
                    f.atPosition().isPresent() ? " at " + f.atPosition().getAsLong()
                            + (f.entryPosition().isPresent() ? " (entry " + f.entryPosition().getAsLong() + ")" : "") : "",
                    f.summary());
            f.proofId().ifPresent(id -> out.printf("      proof %s%n", id));
        }
        List<Rows.Finding> older = r.openFindings().stream()
                .filter(o -> r.newFindings().stream().noneMatch(n -> n.id() == o.id())).toList();
        if (!older.isEmpty()) {
            out.printf("  still open: %d%n", older.size());
            for (Rows.Finding f : older) {
                out.printf("    %s %s: %s%n", f.kind().toUpperCase(), f.code(), f.summary());
            }
        }
    }

    static JsonValue toJson(PassReport r) {
        Map<String, JsonValue> o = new LinkedHashMap<>();
        o.put("verdict", str(r.verdict().name().toLowerCase()));
        o.put("exitCode", num(r.verdict().exitCode()));
        o.put("status", str(r.status().name().toLowerCase()));
        o.put("index", str(r.index().hex()));
        o.put("verifiedPosition", num(r.verifiedPosition()));
        o.put("indexSize", num(r.indexSize()));
        o.put("logs", new JsonValue.Arr(r.logs().stream().map(dev.vitra.watchdog.http.StatusJson::logPosition).toList()));
        o.put("transactions", num(r.transactions()));
        o.put("notes", new JsonValue.Arr(r.notes().stream().map(AuditCommand::str).toList()));
        o.put("durationMs", num(r.duration().toMillis()));
        o.put("newFindings", new JsonValue.Arr(r.newFindings().stream().map(dev.vitra.watchdog.http.StatusJson::finding).toList()));
        o.put("openFindings", new JsonValue.Arr(r.openFindings().stream().map(dev.vitra.watchdog.http.StatusJson::finding).toList()));
        return new JsonValue.Obj(o);
    }

    private static JsonValue str(String s) {
        return new JsonValue.Str(s);
    }

    private static JsonValue num(long n) {
        return new JsonValue.Num(Long.toString(n), n);
    }

    /** 90s, 15m, 1h, 2d, 500ms, or ISO-8601 (PT1H). */
    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return dev.vitra.watchdog.config.Durations.parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
