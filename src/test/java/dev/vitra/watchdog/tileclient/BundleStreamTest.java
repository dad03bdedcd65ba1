package dev.vitra.watchdog.tileclient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vitra.watchdog.testing.ScriptedHttpServer;
import dev.vitra.watchdog.tiles.EntryBundleId;
import dev.vitra.watchdog.tiles.EntryBundles;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Read-ahead is bounded by bytes, not bundles: bundles fetched ahead get a small cap, so a log whose bundles are all
 * huge cannot make the reader hold many of them; a huge bundle is read again, alone, when its turn comes.
 */
class BundleStreamTest {
    private static byte[] bundle(int width, int entryBytes, int fill) {
        List<byte[]> entries = new ArrayList<>();
        for (int i = 0; i < width; i++) {
            byte[] e = new byte[entryBytes];
            Arrays.fill(e, (byte) (fill + i));
            entries.add(e);
        }
        return EntryBundles.format(entries);
    }

    @Test
    void bundlesOverTheSpeculativeCapAreReadOneAtATimeAndStillDelivered() throws Exception {
        try (ScriptedHttpServer server = new ScriptedHttpServer();
             TileClient client = new TileClient(server.baseUrl(), TileClientConfig.defaults())) {
            List<EntryBundleId> ids = new ArrayList<>();
            for (int b = 0; b < 6; b++) {
                byte[] body = bundle(256, 8_000, b); // ~2 MB, over the 1 MiB read-ahead cap
                EntryBundleId id = new EntryBundleId(b, 256);
                ids.add(id);
                server.on("/" + id.path(), (exchange, n) -> ScriptedHttpServer.respond(exchange, 200, body));
            }
            try (BundleStream stream = new BundleStream(client, ids, 4, 1 << 20)) {
                for (int b = 0; b < 6; b++) {
                    List<byte[]> entries = stream.next();
                    assertThat(entries).hasSize(256);
                    assertThat(entries.get(255)[0]).isEqualTo((byte) (b + 255));
                }
                assertThat(stream.hasNext()).isFalse();
            }
            // Every bundle but the first was fetched ahead with the small cap, refused, and fetched again in turn.
            for (int b = 1; b < 6; b++) {
                assertThat(server.count("/" + ids.get(b).path())).as("bundle %d", b).isEqualTo(2);
            }
            assertThat(server.count("/" + ids.get(0).path())).isEqualTo(1);
        }
    }

    @Test
    void smallBundlesAreFetchedOnceAheadInParallel() throws Exception {
        try (ScriptedHttpServer server = new ScriptedHttpServer();
             TileClient client = new TileClient(server.baseUrl(), TileClientConfig.defaults())) {
            List<EntryBundleId> ids = new ArrayList<>();
            for (int b = 0; b < 20; b++) {
                byte[] body = bundle(256, 50, b);
                EntryBundleId id = new EntryBundleId(b, 256);
                ids.add(id);
                server.on("/" + id.path(), (exchange, n) -> ScriptedHttpServer.respond(exchange, 200, body));
            }
            try (BundleStream stream = new BundleStream(client, ids)) {
                while (stream.hasNext()) {
                    assertThat(stream.next()).hasSize(256);
                }
            }
            ids.forEach(id -> assertThat(server.count("/" + id.path())).isEqualTo(1));
        }
    }

    @Test
    void aBundleOverTheFullCapFailsAsTooLarge() throws Exception {
        try (ScriptedHttpServer server = new ScriptedHttpServer();
             TileClient client = new TileClient(server.baseUrl(), TileClientConfig.defaults().withSizeCaps(1 << 20, 100_000))) {
            EntryBundleId id = new EntryBundleId(0, 256);
            byte[] body = bundle(256, 1_000, 0);
            server.on("/" + id.path(), (exchange, n) -> ScriptedHttpServer.respond(exchange, 200, body));
            try (BundleStream stream = new BundleStream(client, List.of(id))) {
                assertThatThrownBy(stream::next).isInstanceOf(FetchException.class)
                        .satisfies(e -> assertThat(((FetchException) e).kind()).isEqualTo(FetchException.Kind.TOO_LARGE));
            }
        }
    }
}
