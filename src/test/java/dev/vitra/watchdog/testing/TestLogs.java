package dev.vitra.watchdog.testing;

import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.note.SignerKey;
import dev.vitra.watchdog.tilewriter.LogDirectory;
import dev.vitra.watchdog.tilewriter.TileWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Vitra-style logs written with the real tile writer, laid out as {@code <root>/logs/<log id>/}. */
public final class TestLogs {
    private TestLogs() {
    }

    public static SignerKey key(int seedByte) {
        byte[] seed = new byte[32];
        java.util.Arrays.fill(seed, (byte) seedByte);
        return LogId.signerFor(seed);
    }

    public static LogId id(SignerKey key) {
        return new LogId(key.publicKey());
    }

    public static TileWriter writer(Path root, SignerKey key) throws IOException {
        LogId id = id(key);
        return TileWriter.open(new LogDirectory(root.resolve("logs").resolve(id.hex())), key, id.origin());
    }

    public static byte[] entry(String prefix, long i) {
        return (prefix + " " + i).getBytes(StandardCharsets.UTF_8);
    }

    /** Appends entries {@code [writer.size(), upTo)} and publishes. */
    public static void grow(TileWriter writer, String prefix, long upTo) throws IOException {
        for (long i = writer.size(); i < upTo; i++) {
            writer.append(entry(prefix, i));
        }
        writer.publish();
    }
}
