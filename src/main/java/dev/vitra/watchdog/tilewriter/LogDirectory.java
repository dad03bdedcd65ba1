package dev.vitra.watchdog.tilewriter;

import dev.vitra.watchdog.tiles.EntryBundleId;
import dev.vitra.watchdog.tiles.EntryBundles;
import dev.vitra.watchdog.tiles.TileFormatException;
import dev.vitra.watchdog.tiles.TileLayout;
import dev.vitra.watchdog.tiles.TileResource;
import dev.vitra.watchdog.tiles.TileSource;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A tlog-tiles log laid out as static files, exactly as it is served: {@code checkpoint},
 * {@code tile/<L>/<N>[.p/<W>]} and {@code tile/entries/<N>[.p/<W>]} under one directory. Every file is written
 * to a temporary name and renamed into place, so a reader (or a crash) never sees half a file.
 */
public final class LogDirectory implements TileSource {
    public static final String CHECKPOINT = "checkpoint";

    private final Path root;

    public LogDirectory(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    public Path pathOf(TileResource resource) {
        return root.resolve(resource.path());
    }

    @Override
    public byte[] read(TileResource resource) throws IOException {
        return Files.readAllBytes(pathOf(resource));
    }

    /** Entries {@code [from, size)} of the log as stored here (a log of at least {@code size} entries). */
    public List<byte[]> readEntries(long from, long size) throws IOException {
        List<byte[]> out = new ArrayList<>();
        for (EntryBundleId bundle : TileLayout.bundles(from, size, size)) {
            List<byte[]> entries;
            try {
                entries = EntryBundles.parse(bundle, read(bundle));
            } catch (TileFormatException e) {
                throw new IOException("log in " + root + " is corrupt: " + e.getMessage(), e);
            }
            for (int i = 0; i < entries.size(); i++) {
                if (bundle.firstEntry() + i >= from) {
                    out.add(entries.get(i));
                }
            }
        }
        return out;
    }

    public boolean exists(TileResource resource) {
        return Files.isRegularFile(pathOf(resource));
    }

    public byte[] readCheckpoint() throws IOException {
        return Files.readAllBytes(root.resolve(CHECKPOINT));
    }

    public boolean hasCheckpoint() {
        return Files.isRegularFile(root.resolve(CHECKPOINT));
    }

    public void write(TileResource resource, byte[] data) throws IOException {
        writeAtomically(pathOf(resource), data);
    }

    public void writeCheckpoint(byte[] data) throws IOException {
        writeAtomically(root.resolve(CHECKPOINT), data);
    }

    /** Removes the partial versions of a resource once its full version exists; tlog-tiles allows it. */
    public void deletePartials(TileResource full) throws IOException {
        Path dir = root.resolve(full.path() + ".p");
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                try {
                    Files.delete(p);
                } catch (NoSuchFileException ignored) {
                    // Already gone: the goal is reached.
                }
            }
        }
    }

    private static void writeAtomically(Path target, byte[] data) throws IOException {
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), ".tmp-", "");
        try {
            Files.write(tmp, data);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
