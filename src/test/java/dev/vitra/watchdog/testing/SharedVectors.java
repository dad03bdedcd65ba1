package dev.vitra.watchdog.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the published test vectors in {@code ../shared/testvectors}. They are never copied into this
 * repository; tests that need them skip, with a message, where the folder is absent.
 */
public final class SharedVectors {
    private SharedVectors() {
    }

    public static Path root() {
        String configured = System.getProperty("vitra.shared.dir", "../shared");
        return Path.of(configured).resolve("testvectors").toAbsolutePath().normalize();
    }

    /** The folder {@code testvectors/<name>}, or skips the calling test if it is not there. */
    public static Path require(String name) {
        Path dir = root().resolve(name);
        assumeTrue(Files.isDirectory(dir), "published test vectors not found at " + dir + "; skipping");
        return dir;
    }
}
