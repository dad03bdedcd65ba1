package dev.vitra.watchdog.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vitra.watchdog.contract.ContractEngine;
import dev.vitra.watchdog.contract.ContractLimits;
import dev.vitra.watchdog.executor.Executor;
import dev.vitra.watchdog.executor.ExecutorServer;
import dev.vitra.watchdog.executor.Fault;
import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.protocol.Json;
import dev.vitra.watchdog.protocol.JsonValue;
import dev.vitra.watchdog.util.ChildJvm;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditCommandTest {
    private static final ContractEngine ENGINE = ContractEngine.create(ContractLimits.defaults());

    @AfterAll
    static void close() {
        ENGINE.close();
    }

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    private static Executor kv(Path dir) throws Exception {
        try (InputStream in = AuditCommandTest.class.getResourceAsStream("/contracts/kv.js")) {
            return Executor.create(dir, new String(in.readAllBytes(), StandardCharsets.UTF_8), 1, ENGINE, Clock.systemUTC());
        }
    }

    private static ExecutorServer serve(Executor ex) throws Exception {
        return ExecutorServer.start(ex, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Duration.ofHours(1));
    }

    @Test
    void badOptionsAreUsageErrorsNamingTheOption(@TempDir Path dir) {
        String id = "ab".repeat(32);
        CliRun badIndex = run("audit", "--executor", "http://127.0.0.1:1", "--index", "XYZ", "--db", dir.resolve("s").toString());
        assertThat(badIndex.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(badIndex.err()).startsWith("error: --index:");
        CliRun badUrl = run("audit", "--executor", "ftp://x", "--index", id, "--db", dir.resolve("s").toString());
        assertThat(badUrl.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(badUrl.err()).startsWith("error: --executor:");
        CliRun badBase = run("audit", "--executor", "http://x", "--index", id, "--oplog-base", "nope");
        assertThat(badBase.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(badBase.err()).startsWith("error: --oplog-base:");
        CliRun badDuration = run("audit", "--executor", "http://x", "--index", id, "--pending-deadline", "soon");
        assertThat(badDuration.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(badDuration.err()).contains("not a duration");
        assertThat(run("audit", "--index", id).exit()).isEqualTo(ExitCodes.USAGE);
        CliRun negative = run("audit", "--executor", "http://x", "--index", id, "--pending-deadline", "-5s");
        assertThat(negative.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(negative.err()).startsWith("error: --pending-deadline");
        CliRun indexAsOplog = run("audit", "--executor", "http://x", "--index", id, "--oplog-base", id + "=http://y");
        assertThat(indexAsOplog.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(indexAsOplog.err()).startsWith("error: --oplog-base:").contains("is the index log");
        String other = "cd".repeat(32);
        CliRun twice = run("audit", "--executor", "http://x", "--index", id, "--oplog-base", other + "=http://y",
                "--oplog-base", other + "=http://z");
        assertThat(twice.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(twice.err()).contains("given twice");
        CliRun help = run("audit", "--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("--pending-deadline").contains("Exit codes");
    }

    @Test
    void verifiedPendingAndBreachedExitZeroFourAndOneWithTheCodeVerbatim(@TempDir Path dir) throws Exception {
        Executor ex = kv(dir.resolve("db"));
        LogId p = ex.participants().get(0);
        String db = dir.resolve("watchdog.mv.db").toString();
        try (ExecutorServer server = serve(ex)) {
            String[] audit = {"audit", "--executor", server.baseUrl(), "--index", ex.indexLogId().hex(), "--db", db, "--quiet"};
            ex.call(p, "put", "{\"path\":\"/a\",\"value\":1}");
            ex.processPending();
            CliRun ok = run(audit);
            assertThat(ok.exit()).as(ok.out() + ok.err()).isEqualTo(ExitCodes.OK);
            assertThat(ok.out()).startsWith("VERIFIED").contains("index entries 0..5 of 6").contains("new findings: 0");

            ex.call(p, "put", "{\"path\":\"/b\",\"value\":2}"); // published, not processed yet
            CliRun pending = run(audit);
            assertThat(pending.exit()).isEqualTo(ExitCodes.PENDING);
            assertThat(pending.out()).contains("PENDING OpNotYetProcessed");

            ex.setFault(Fault.WRONG_CHANGES, true);
            ex.processPending();
            List<String> json = new ArrayList<>(List.of(audit));
            json.add("--json");
            CliRun breached = run(json.toArray(String[]::new));
            assertThat(breached.exit()).isEqualTo(ExitCodes.MISBEHAVIOUR);
            JsonValue.Obj report = (JsonValue.Obj) Json.parse(breached.out().strip());
            assertThat(report.get("verdict")).isEqualTo(new JsonValue.Str("misbehaviour"));
            assertThat(report.get("status")).isEqualTo(new JsonValue.Str("breached"));
            JsonValue.Obj finding = (JsonValue.Obj) ((JsonValue.Arr) report.get("newFindings")).elements().get(0);
            assertThat(finding.get("code")).isEqualTo(new JsonValue.Str("ChangeMismatchError"));
            assertThat(finding.get("at")).isEqualTo(new JsonValue.Num("6", 6));
            assertThat(finding.get("entry")).isEqualTo(new JsonValue.Num("7", 7));
            assertThat(((JsonValue.Obj) finding.get("facts")).get("expected"))
                    .isEqualTo(new JsonValue.Str("{\"type\":\"put\",\"path\":\"/b\",\"value\":2}"));

            CliRun again = run(audit);
            assertThat(again.exit()).isEqualTo(ExitCodes.MISBEHAVIOUR);
            assertThat(again.out()).contains("new findings: 0").contains("still open: 1").contains("FRAUD ChangeMismatchError");
        }
    }

    @Test
    void auditWritesEachFraudProofNamedByItsIdAndVerifyProofChecksItOfflineAndByReplay(@TempDir Path dir) throws Exception {
        Executor ex = kv(dir.resolve("db"));
        LogId p = ex.participants().get(0);
        Path proofs = dir.resolve("proofs");
        try (ExecutorServer server = serve(ex)) {
            ex.call(p, "put", "{\"path\":\"/a\",\"value\":1}");
            ex.setFault(Fault.EXTRA_CHANGE, true);
            ex.processPending();
            CliRun breached = run("audit", "--executor", server.baseUrl(), "--index", ex.indexLogId().hex(), "--db",
                    dir.resolve("w.mv.db").toString(), "--quiet", "--proofs", proofs.toString());
            assertThat(breached.exit()).isEqualTo(ExitCodes.MISBEHAVIOUR);
            List<Path> files;
            try (var list = java.nio.file.Files.list(proofs)) {
                files = list.toList();
            }
            assertThat(files).hasSize(1);
            Path proof = files.get(0);
            byte[] bytes = java.nio.file.Files.readAllBytes(proof);
            String id = dev.vitra.watchdog.evidence.ProofCodec.id(bytes);
            assertThat(proof.getFileName().toString()).isEqualTo(id + ".json");
            assertThat(breached.out()).contains("proof " + id);

            CliRun offline = run("verify-proof", proof.toString());
            assertThat(offline.exit()).as(offline.out() + offline.err()).isEqualTo(ExitCodes.OK);
            assertThat(offline.out()).startsWith("HOLDS OFFLINE  ChangeNotProducedByMonitorError  proof " + id)
                    .contains("needs replay").contains("--replay");
            CliRun replayed = run("verify-proof", proof.toString(), "--replay", "--executor", server.baseUrl(), "--quiet");
            assertThat(replayed.exit()).as(replayed.out() + replayed.err()).isEqualTo(ExitCodes.OK);
            assertThat(replayed.out()).contains("replay        CONFIRMED").contains("\nPROVEN  ChangeNotProducedByMonitorError");
            CliRun fromDisk = run("verify-proof", proof.toString(), "--replay", "--logs", dir.resolve("db").toString(),
                    "--quiet");
            assertThat(fromDisk.exit()).as(fromDisk.out() + fromDisk.err()).isEqualTo(ExitCodes.OK);

            // An empty archive: nothing to replay from, which is not the same as a refuted proof.
            java.nio.file.Files.createDirectories(dir.resolve("empty/logs"));
            CliRun missing = run("verify-proof", proof.toString(), "--replay", "--logs", dir.resolve("empty").toString(),
                    "--quiet");
            assertThat(missing.exit()).as(missing.out()).isEqualTo(ExitCodes.COULD_NOT_VERIFY);
            assertThat(missing.out()).contains("CANNOT CONFIRM").contains(dir.resolve("empty").toAbsolutePath().toString() + "/logs/")
                    .doesNotContain("http://127.0.0.1");

            byte[] tampered = bytes.clone();
            int at = new String(bytes, StandardCharsets.ISO_8859_1).indexOf("\"at\":") + 5;
            tampered[at] = (byte) (tampered[at] == '9' ? '8' : tampered[at] + 1);
            Path bad = dir.resolve("bad.json");
            java.nio.file.Files.write(bad, tampered);
            CliRun invalid = run("verify-proof", bad.toString());
            assertThat(invalid.exit()).isEqualTo(1);
            assertThat(invalid.out()).startsWith("INVALID  ");

            assertThat(run("verify-proof", dir.resolve("nope.json").toString()).exit()).isEqualTo(ExitCodes.USAGE);
            assertThat(run("verify-proof", proof.toString(), "--replay").exit()).isEqualTo(ExitCodes.USAGE);
            assertThat(run("verify-proof", proof.toString(), "--executor", server.baseUrl()).exit()).isEqualTo(ExitCodes.USAGE);
        }
    }

    @Test
    void anUnreachableExecutorCannotBeVerified(@TempDir Path dir) throws Exception {
        int port;
        try (var socket = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        CliRun r = run("audit", "--executor", "http://127.0.0.1:" + port, "--index", "ab".repeat(32), "--db",
                dir.resolve("w.mv.db").toString(), "--quiet");
        assertThat(r.exit()).isEqualTo(ExitCodes.COULD_NOT_VERIFY);
        assertThat(r.out()).startsWith("COULD_NOT_VERIFY").contains("LogUnreachable");
    }

    @Test
    void aStoreHeldByAnotherProcessIsAUsageErrorNamingDb(@TempDir Path dir) throws Exception {
        Executor ex = kv(dir.resolve("db"));
        ex.setFault(Fault.SLOW_RESPONSES, true); // keeps the other pass (and its lock on the store) busy
        Path db = dir.resolve("held.mv.db");
        try (ExecutorServer server = serve(ex)) {
            List<String> command = new ArrayList<>(ChildJvm.command(true));
            command.addAll(List.of("dev.vitra.watchdog.cli.Main", "audit", "--executor", server.baseUrl(), "--index",
                    ex.indexLogId().hex(), "--db", db.toString(), "--quiet"));
            Process other = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("other.out").toFile()).start();
            try {
                // The other pass opens the store before it creates its contract engine, which logs one line.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!java.nio.file.Files.readString(dir.resolve("other.out")).contains("contract runtime")) {
                    assertThat(other.isAlive()).as("the other pass is running").isTrue();
                    assertThat(System.nanoTime()).as("the other pass opened its store in time").isLessThan(deadline);
                    Thread.sleep(100);
                }
                CliRun r = run("audit", "--executor", server.baseUrl(), "--index", ex.indexLogId().hex(), "--db", db.toString(),
                        "--quiet");
                assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(ExitCodes.USAGE);
                assertThat(r.err()).startsWith("error: --db:");
                assertThat(other.isAlive()).as("the other pass was still running").isTrue();
            } finally {
                other.destroyForcibly();
                other.waitFor();
            }
        }
    }
}
