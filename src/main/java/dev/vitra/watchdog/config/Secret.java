package dev.vitra.watchdog.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A secret named in the config, never written in it: an environment variable or a file (trailing newline dropped).
 * Resolved when the config is loaded, so a missing one is a config error, not a failure at first use.
 */
public record Secret(String source, String value) {
    static Secret fromEnvironment(String variable, java.util.function.Function<String, String> env) {
        String v = env.apply(variable);
        if (v == null) {
            throw new IllegalArgumentException("the environment variable " + variable + " is not set");
        }
        return new Secret("environment variable " + variable, v);
    }

    /** Secrets are short: a file larger than this is not one (and a device or FIFO is refused before it is read). */
    static final int MAX_BYTES = 65_536;

    static Secret fromFile(Path file) {
        try {
            if (!Files.exists(file)) {
                throw new IllegalArgumentException("the secret file " + file + " does not exist");
            }
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("the secret file " + file + " is not a regular file");
            }
            if (Files.size(file) > MAX_BYTES) {
                throw new IllegalArgumentException("the secret file " + file + " is larger than " + MAX_BYTES + " bytes");
            }
            String v = Files.readString(file, StandardCharsets.UTF_8);
            return new Secret("file " + file, v.endsWith("\n") ? v.substring(0, v.length() - 1) : v);
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new IllegalArgumentException("cannot read the secret file " + file + ": " + e.getMessage());
        }
    }

    /** Never the value: a secret must not reach logs, exceptions or the status page. */
    @Override
    public String toString() {
        return "Secret[" + source + "]";
    }
}
