package dev.vitra.watchdog.metrics;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Programs from Debian's packages that some tests run (promtool, chromium). `.ci/run` installs them; elsewhere a
 * test that needs a missing one is skipped, but under CI=true it fails instead, so CI never passes without it.
 */
public final class ExternalTools {
    private ExternalTools() {
    }

    public static Path require(String program, String debianPackage) {
        Optional<Path> found = find(program);
        if (found.isEmpty()) {
            unavailable(program + " is not installed (Debian package " + debianPackage + "; .ci/run installs it)");
        }
        return found.get();
    }

    /** A tool a test needs is missing: the test fails under CI=true and is skipped elsewhere. */
    public static void unavailable(String why) {
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError(why);
        }
        assumeTrue(false, why);
    }

    static Optional<Path> find(String program) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : path.split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, program);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
