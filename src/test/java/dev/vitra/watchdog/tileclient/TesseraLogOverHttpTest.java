package dev.vitra.watchdog.tileclient;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vitra.watchdog.executor.StaticLogServer;
import dev.vitra.watchdog.merkle.ConsistencyProof;
import dev.vitra.watchdog.note.SignedCheckpoint;
import dev.vitra.watchdog.note.VerifierKey;
import dev.vitra.watchdog.testing.SharedVectors;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tessera's published log, served from ../shared over loopback HTTP, read through the real client. */
class TesseraLogOverHttpTest {
    private static final String ORIGIN = "example.com/log/testdata";

    @Test
    void allCheckpointsVerifyEveryPairIsConsistentAndEveryEntryIsProven() throws Exception {
        Path dir = SharedVectors.require("tessera-log");
        VerifierKey key = VerifierKey.parse(Files.readString(dir.resolve("log.vkey")));
        try (StaticLogServer server = StaticLogServer.start(dir, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             TileClient client = new TileClient(server.baseUrl(), TileClientConfig.defaults())) {
            LogReader reader = new LogReader(client, ORIGIN, List.of(key));
            SignedCheckpoint latest = reader.latestCheckpoint();
            assertThat(latest.size()).isEqualTo(15);

            List<SignedCheckpoint> checkpoints = new ArrayList<>();
            for (int n = 0; n <= 15; n++) {
                SignedCheckpoint cp = reader.open(Files.readAllBytes(dir.resolve("checkpoint." + n)));
                assertThat(cp.size()).isEqualTo(n);
                checkpoints.add(cp);
            }
            int pairs = 0;
            for (SignedCheckpoint older : checkpoints) {
                for (SignedCheckpoint newer : checkpoints) {
                    if (older.size() <= newer.size()) {
                        ConsistencyProof proof = reader.proveConsistency(older, newer);
                        assertThat(proof.newSize()).isEqualTo(newer.size());
                        pairs++;
                    }
                }
            }
            assertThat(pairs).isEqualTo(136);

            List<String> all = new ArrayList<>();
            reader.readEntries(latest, 0, 15, (i, e) -> all.add(new String(e, StandardCharsets.UTF_8)));
            assertThat(all).hasSize(15).startsWith("one", "two", "three");
            for (SignedCheckpoint cp : checkpoints) {
                List<String> entries = new ArrayList<>();
                reader.readEntries(cp, 0, cp.size(), (i, e) -> entries.add(new String(e, StandardCharsets.UTF_8)));
                assertThat(entries).as("entries proven under checkpoint %d", cp.size()).isEqualTo(all.subList(0, (int) cp.size()));
            }
        }
    }
}
