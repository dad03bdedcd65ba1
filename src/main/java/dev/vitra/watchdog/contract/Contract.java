package dev.vitra.watchdog.contract;

import dev.vitra.watchdog.merkle.Hash;
import dev.vitra.watchdog.merkle.TreeHasher;
import java.nio.charset.StandardCharsets;
import org.graalvm.polyglot.Source;

/**
 * A contract's source, ready to run: immutable and shareable between threads. The polyglot {@link Source} is
 * named by the source's SHA-256, so every context of the engine shares one parse of it.
 */
public final class Contract {
    private final String source;
    private final Hash sha256;
    private final Source polyglotSource;

    Contract(String source) {
        this.source = source;
        this.sha256 = new TreeHasher().sha256(source.getBytes(StandardCharsets.UTF_8));
        this.polyglotSource = Source.newBuilder("js", source, "/contract/" + sha256.toHex() + ".mjs")
                .mimeType("application/javascript+module").cached(true).buildLiteral();
    }

    public String source() {
        return source;
    }

    /** SHA-256 of the UTF-8 source: what evidence names the contract by. */
    public Hash sha256() {
        return sha256;
    }

    Source polyglotSource() {
        return polyglotSource;
    }

    @Override
    public String toString() {
        return "Contract[" + sha256 + "]";
    }
}
