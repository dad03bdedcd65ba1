package dev.vitra.watchdog.contract;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** PROTOCOL §4 path normalisation, host side: split on '/', drop empty segments, rejoin. */
public final class IndexPaths {
    private IndexPaths() {
    }

    /** The normalised path, or empty when it normalises to "/" (which is not a key). */
    public static Optional<String> normalize(String path) {
        List<String> kept = new ArrayList<>();
        for (String part : path.split("/", -1)) {
            if (!part.isEmpty()) {
                kept.add(part);
            }
        }
        return kept.isEmpty() ? Optional.empty() : Optional.of("/" + String.join("/", kept));
    }

    /** True for {@code /.sys} and everything under it. */
    public static boolean isSystem(String normalizedPath) {
        return normalizedPath.equals("/.sys") || normalizedPath.startsWith("/.sys/");
    }
}
