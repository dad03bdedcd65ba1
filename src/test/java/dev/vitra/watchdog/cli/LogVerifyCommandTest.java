package dev.vitra.watchdog.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vitra.watchdog.executor.StaticLogServer;
import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.note.SignerKey;
import dev.vitra.watchdog.testing.SharedVectors;
import dev.vitra.watchdog.testing.TestLogs;
import dev.vitra.watchdog.tilewriter.TileWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogVerifyCommandTest {
    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    private final SignerKey key = TestLogs.key(7);
    private final LogId id = TestLogs.id(key);

    private StaticLogServer serve(Path root) throws Exception {
        return StaticLogServer.start(root, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    @Test
    void verifiesAHealthyLogFromItsLogIdAndConsistencyWithAnOlderCheckpoint(@TempDir Path root, @TempDir Path tmp) throws Exception {
        TileWriter writer = TestLogs.writer(root, key);
        TestLogs.grow(writer, "e", 1200);
        Path old = tmp.resolve("old-checkpoint");
        Files.write(old, writer.published().raw());
        TestLogs.grow(writer, "e", 3000);
        try (StaticLogServer server = serve(root)) {
            String prefix = server.baseUrl() + "/logs/" + id.hex();
            CliRun r = run("log", "verify", prefix, "--log-id", id.hex(), "--since", old.toString());
            assertThat(r.exit()).as(r.err()).isEqualTo(0);
            assertThat(r.out()).contains("OK " + prefix).contains("size        3000").contains("3000 proven")
                    .contains("consistent  with " + old + " (size 1200");
        }
    }

    @Test
    void verifiesWithAVkeyFile(@TempDir Path root, @TempDir Path tmp) throws Exception {
        TestLogs.grow(TestLogs.writer(root, key), "e", 10);
        Path vkey = tmp.resolve("log.vkey");
        Files.writeString(vkey, id.verifierKey().format() + "\n");
        try (StaticLogServer server = serve(root)) {
            CliRun r = run("log", "verify", server.baseUrl() + "/logs/" + id.hex(), "--vkey", "@" + vkey, "--quiet");
            assertThat(r.exit()).as(r.err()).isEqualTo(0);
        }
    }

    @Test
    void forkAgainstTheSinceCheckpointExitsOneNamingTheFork(@TempDir Path root, @TempDir Path other, @TempDir Path tmp) throws Exception {
        TileWriter honest = TestLogs.writer(root, key);
        TestLogs.grow(honest, "e", 700);
        Path old = tmp.resolve("old");
        Files.write(old, honest.published().raw());
        TileWriter forked = TestLogs.writer(other, key);
        TestLogs.grow(forked, "x", 900);
        try (StaticLogServer server = serve(other)) {
            CliRun r = run("log", "verify", server.baseUrl() + "/logs/" + id.hex(), "--log-id", id.hex(), "--since", old.toString());
            assertThat(r.exit()).isEqualTo(ExitCodes.MISBEHAVIOUR);
            assertThat(r.err()).startsWith("FORK: ").contains("size 700 and 900");
        }
    }

    @Test
    void corruptBundleCannotBeVerifiedAndTheMessageNamesTheEntries(@TempDir Path root) throws Exception {
        TestLogs.grow(TestLogs.writer(root, key), "e", 300);
        Path bundle = root.resolve("logs").resolve(id.hex()).resolve("tile/entries/001.p/44");
        byte[] data = Files.readAllBytes(bundle);
        data[3] ^= 1;
        Files.write(bundle, data);
        try (StaticLogServer server = serve(root)) {
            CliRun r = run("log", "verify", server.baseUrl() + "/logs/" + id.hex(), "--log-id", id.hex());
            assertThat(r.exit()).isEqualTo(ExitCodes.COULD_NOT_VERIFY);
            assertThat(r.err()).startsWith("CANNOT VERIFY: entries mismatch").contains("entries 256..299");
        }
    }

    @Test
    void wrongKeyCannotBeVerifiedAndTheMessageNamesExpectedAndFoundSigners(@TempDir Path root) throws Exception {
        TestLogs.grow(TestLogs.writer(root, key), "e", 3);
        LogId other = TestLogs.id(TestLogs.key(8));
        try (StaticLogServer server = serve(root)) {
            CliRun r = run("log", "verify", server.baseUrl() + "/logs/" + id.hex(), "--vkey", other.verifierKey().format(),
                    "--origin", id.origin());
            assertThat(r.exit()).isEqualTo(ExitCodes.COULD_NOT_VERIFY);
            assertThat(r.err()).startsWith("CANNOT VERIFY: checkpoint signature").contains("no signature from a trusted key");
        }
    }

    @Test
    void unreachableServerExitsThree() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        CliRun r = run("log", "verify", "http://127.0.0.1:" + port + "/logs/" + id.hex(), "--log-id", id.hex(), "--timeout", "1");
        assertThat(r.exit()).isEqualTo(ExitCodes.COULD_NOT_VERIFY);
        assertThat(r.err()).startsWith("CANNOT VERIFY: fetch failed").contains("127.0.0.1:" + port);
    }

    @Test
    void forkFromAPowerOfTwoSizeIsAForkNotATileMismatch(@TempDir Path tmp) throws Exception {
        for (int m : new int[] {1, 2, 4, 256, 512}) {
            Path root = Files.createDirectories(tmp.resolve("honest-" + m));
            Path other = Files.createDirectories(tmp.resolve("forked-" + m));
            TileWriter honest = TestLogs.writer(root, key);
            TestLogs.grow(honest, "e", m);
            Path old = tmp.resolve("old-" + m);
            Files.write(old, honest.published().raw());
            TileWriter forked = TestLogs.writer(other, key);
            for (int i = 0; i < m + 5; i++) {
                forked.append(TestLogs.entry(i == m - 1 ? "forked" : "e", i));
            }
            forked.publish();
            try (StaticLogServer server = serve(other)) {
                CliRun r = run("log", "verify", server.baseUrl() + "/logs/" + id.hex(), "--log-id", id.hex(), "--since",
                        old.toString(), "--quiet");
                assertThat(r.exit()).as("m=%d: %s", m, r.err()).isEqualTo(ExitCodes.MISBEHAVIOUR);
                assertThat(r.err()).startsWith("FORK: ").contains("size " + m + " and " + (m + 5));
            }
        }
    }

    @Test
    void aServerRolledBackBelowSinceIsStaleWhenConsistent(@TempDir Path root, @TempDir Path tmp) throws Exception {
        TileWriter writer = TestLogs.writer(root, key);
        TestLogs.grow(writer, "e", 300);
        byte[] older = writer.published().raw();
        TestLogs.grow(writer, "e", 520);
        Path newer = tmp.resolve("newer");
        Files.write(newer, writer.published().raw());
        // The server goes back to its size-300 checkpoint; its size-520 tiles are all still there.
        Files.write(root.resolve("logs").resolve(id.hex()).resolve("checkpoint"), older);
        try (StaticLogServer server = serve(root)) {
            CliRun r = run("log", "verify", server.baseUrl() + "/logs/" + id.hex(), "--log-id", id.hex(), "--since",
                    newer.toString(), "--quiet");
            assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.COULD_NOT_VERIFY);
            assertThat(r.err()).startsWith("CANNOT VERIFY: stale checkpoint").contains("size 300, smaller than the verified size 520");
        }
    }

    @Test
    void outWritesTheVerifiedCheckpointSoRunsChainWithSince(@TempDir Path root, @TempDir Path tmp) throws Exception {
        TileWriter writer = TestLogs.writer(root, key);
        TestLogs.grow(writer, "e", 100);
        Path state = tmp.resolve("verified.checkpoint");
        try (StaticLogServer server = serve(root)) {
            String prefix = server.baseUrl() + "/logs/" + id.hex();
            CliRun first = run("log", "verify", prefix, "--log-id", id.hex(), "--out", state.toString(), "--quiet");
            assertThat(first.exit()).as(first.err()).isZero();
            assertThat(Files.readAllBytes(state)).isEqualTo(writer.published().raw());
            TestLogs.grow(writer, "e", 400);
            CliRun second = run("log", "verify", prefix, "--log-id", id.hex(), "--since", state.toString(), "--out",
                    state.toString(), "--quiet");
            assertThat(second.exit()).as(second.err()).isZero();
            assertThat(second.out()).contains("(size 100");
            assertThat(Files.readAllBytes(state)).isEqualTo(writer.published().raw());
        }
    }

    @Test
    void sinceThatIsNotACheckpointOfThisLogIsAUsageError(@TempDir Path root, @TempDir Path tmp) throws Exception {
        TestLogs.grow(TestLogs.writer(root, key), "e", 3);
        Path foreign = tmp.resolve("foreign");
        TileWriter other = TestLogs.writer(tmp.resolve("other"), TestLogs.key(9));
        TestLogs.grow(other, "e", 3);
        Files.write(foreign, other.published().raw());
        Path garbage = tmp.resolve("garbage");
        Files.writeString(garbage, "not a note");
        try (StaticLogServer server = serve(root)) {
            String prefix = server.baseUrl() + "/logs/" + id.hex();
            for (Path since : new Path[] {foreign, garbage}) {
                CliRun r = run("log", "verify", prefix, "--log-id", id.hex(), "--since", since.toString());
                assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
                assertThat(r.err()).startsWith("error: --since: not a checkpoint of this log");
            }
            CliRun missing = run("log", "verify", prefix, "--log-id", id.hex(), "--since", tmp.resolve("nope").toString());
            assertThat(missing.exit()).isEqualTo(ExitCodes.USAGE);
            assertThat(missing.err()).startsWith("error: --since: cannot read");
        }
    }

    @Test
    void aCheckpointWithAnotherOriginIsCalledAWrongOriginNotABadSignature(@TempDir Path root) throws Exception {
        TestLogs.grow(TestLogs.writer(root, key), "e", 3);
        try (StaticLogServer server = serve(root)) {
            CliRun r = run("log", "verify", server.baseUrl() + "/logs/" + id.hex(), "--vkey", id.verifierKey().format(),
                    "--origin", "example.com/another-log");
            assertThat(r.exit()).isEqualTo(ExitCodes.COULD_NOT_VERIFY);
            assertThat(r.err()).startsWith("CANNOT VERIFY: wrong origin").doesNotContain("signature");
        }
    }

    @Test
    void aSignedCheckpointOfAnAbsurdSizeCannotBeVerifiedAndIsNotAFork(@TempDir Path root) throws Exception {
        TestLogs.grow(TestLogs.writer(root, key), "e", 3);
        byte[] made = new byte[32];
        var cp = dev.vitra.watchdog.note.SignedCheckpoint.sign(
                new dev.vitra.watchdog.note.Checkpoint(id.origin(), 1L << 40, new dev.vitra.watchdog.merkle.Hash(made)), key);
        Files.write(root.resolve("logs").resolve(id.hex()).resolve("checkpoint"), cp.raw());
        try (StaticLogServer server = serve(root)) {
            CliRun r = run("log", "verify", server.baseUrl() + "/logs/" + id.hex(), "--log-id", id.hex(), "--quiet");
            assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.COULD_NOT_VERIFY);
            assertThat(r.err()).startsWith("CANNOT VERIFY:");
        }
    }

    @Test
    void anInternalFailureIsNeverMisbehaviour() {
        // An exception no command handles proves nothing: exit 3, never 1.
        int exit = Main.commandLine().execute("bench", "audit", "--ops", "-5", "--cache", "/proc/forbidden");
        assertThat(exit).isNotEqualTo(ExitCodes.MISBEHAVIOUR);
    }

    @Test
    void missingKeyOrBadVkeyExitsTwo() {
        assertThat(run("log", "verify", "http://127.0.0.1:1/x").exit()).isEqualTo(ExitCodes.USAGE);
        CliRun bad = run("log", "verify", "http://127.0.0.1:1/x", "--vkey", "not-a-key");
        assertThat(bad.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(bad.err()).startsWith("error: --vkey:").contains("name+keyid+base64");
        CliRun badId = run("log", "verify", "http://127.0.0.1:1/x", "--log-id", "XYZ");
        assertThat(badId.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(badId.err()).startsWith("error: --log-id:");
        assertThat(run("log", "verify").exit()).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void verifiesThePublishedTesseraLogWithItsVkeyFile() throws Exception {
        Path dir = SharedVectors.require("tessera-log");
        try (StaticLogServer server = serve(dir)) {
            CliRun r = run("log", "verify", server.baseUrl(), "--vkey", "@" + dir.resolve("log.vkey"),
                    "--since", dir.resolve("checkpoint.7").toString());
            assertThat(r.exit()).as(r.err()).isEqualTo(0);
            assertThat(r.out()).contains("origin      example.com/log/testdata").contains("15 proven");
        }
    }

    @Test
    void everyCommandHasHelp() {
        for (String[] args : new String[][] {{"--help"}, {"log", "--help"}, {"log", "verify", "--help"}, {"demo", "--help"},
                {"bench", "--help"}, {"bench", "tree-hash", "--help"}, {"bench", "log-verify", "--help"},
                {"bench", "contract", "--help"}, {"executor", "--help"}}) {
            CliRun r = run(args);
            assertThat(r.exit()).as(String.join(" ", args)).isZero();
            assertThat(r.out()).contains("Usage:");
        }
    }
}
