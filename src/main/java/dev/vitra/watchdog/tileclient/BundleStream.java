package dev.vitra.watchdog.tileclient;

import dev.vitra.watchdog.tiles.EntryBundleId;
import dev.vitra.watchdog.tiles.EntryBundles;
import dev.vitra.watchdog.tiles.TileLayout;
import dev.vitra.watchdog.tiles.TileResource;
import dev.vitra.watchdog.tiles.TileFormatException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Entry bundles in order, fetched ahead in parallel with memory bounded by bytes, not by count. A bundle may be
 * 256 × 65,537 bytes, so counting bundles bounds nothing (16 hostile bundles are ~270 MB). The bundle the reader
 * waits for may use the full bundle cap; bundles fetched ahead of it get a small speculative cap, and one that
 * exceeds it is fetched again, alone, with the full cap when its turn comes. Worst case in memory:
 * {@code (window - 1) × speculativeCap + maxBundleBytes}. Entries are parsed but not verified here.
 */
public final class BundleStream implements AutoCloseable {
    /** Cap for a bundle fetched ahead of the one being read: honest bundles are far smaller. */
    public static final int DEFAULT_SPECULATIVE_CAP = 1 << 20;

    private final TileClient client;
    /** The bundles to read: ids are made on demand, so a tree of 2^62 entries costs no memory up front. */
    private final java.util.function.LongFunction<EntryBundleId> bundleAt;
    private final long count;
    private final int window;
    private final int speculativeCap;
    private final Deque<Fetch> inFlight = new ArrayDeque<>();
    private long issued;
    private long consumed;

    public BundleStream(TileClient client, List<EntryBundleId> bundles) {
        this(client, bundles, Math.max(2, 2 * client.parallelism()), DEFAULT_SPECULATIVE_CAP);
    }

    public BundleStream(TileClient client, List<EntryBundleId> bundles, int window, int speculativeCap) {
        this(client, indexed(List.copyOf(bundles)), bundles.size(), window, speculativeCap);
    }

    /** The bundles holding entries {@code [start, end)} of a tree of {@code treeSize}. */
    public BundleStream(TileClient client, long start, long end, long treeSize) {
        this(client, firstBundle(start, end, treeSize)::at, bundleCount(start, end),
                Math.max(2, 2 * client.parallelism()), DEFAULT_SPECULATIVE_CAP);
    }

    private BundleStream(TileClient client, java.util.function.LongFunction<EntryBundleId> bundleAt, long count, int window,
            int speculativeCap) {
        this.client = client;
        this.bundleAt = bundleAt;
        this.count = count;
        this.window = Math.max(1, window);
        this.speculativeCap = speculativeCap;
    }

    private static java.util.function.LongFunction<EntryBundleId> indexed(List<EntryBundleId> list) {
        return i -> list.get(Math.toIntExact(i));
    }

    private record FirstBundle(long first, long treeSize) {
        EntryBundleId at(long i) {
            return TileLayout.bundle(first + i, treeSize);
        }
    }

    private static FirstBundle firstBundle(long start, long end, long treeSize) {
        if (start < 0 || start > end || end > treeSize) {
            throw new IllegalArgumentException("entries [" + start + ", " + end + ") are not in a tree of size " + treeSize);
        }
        return new FirstBundle(start / TileResource.FULL_WIDTH, treeSize);
    }

    private static long bundleCount(long start, long end) {
        return start == end ? 0 : (end - 1) / TileResource.FULL_WIDTH - start / TileResource.FULL_WIDTH + 1;
    }

    public boolean hasNext() {
        return consumed < count;
    }

    /** The bundle that {@link #next()} returns next. */
    public EntryBundleId peek() {
        return bundleAt.apply(consumed);
    }

    /**
     * The entries of the next bundle, exactly {@code width} of them.
     *
     * @throws TileFormatException when the bundle's bytes do not have the shape its path promises
     */
    public List<byte[]> next() throws FetchException, TileFormatException, InterruptedException {
        EntryBundleId bundle = bundleAt.apply(consumed);
        if (inFlight.isEmpty()) {
            // Nothing ahead yet: the head goes first, with the full cap.
            inFlight.add(new Fetch(fetch(bundle, client.maxBundleBytes()), client.maxBundleBytes()));
            issued = consumed + 1;
        }
        int aheadCap = Math.min(speculativeCap, client.maxBundleBytes());
        while (issued < count && inFlight.size() < window) {
            inFlight.add(new Fetch(fetch(bundleAt.apply(issued++), aheadCap), aheadCap));
        }
        Fetch head = inFlight.removeFirst();
        List<byte[]> entries;
        try {
            entries = await(head.future());
        } catch (FetchException e) {
            if (e.kind() != FetchException.Kind.TOO_LARGE || head.cap() >= client.maxBundleBytes()) {
                throw e;
            }
            // Fetched ahead with the small cap; now it is the head, so it may have the full one.
            entries = await(fetch(bundle, client.maxBundleBytes()));
        }
        consumed++;
        return entries;
    }

    private record Fetch(CompletableFuture<List<byte[]>> future, int cap) {
    }

    private CompletableFuture<List<byte[]>> fetch(EntryBundleId bundle, int cap) {
        return client.readAsync(bundle, cap).thenApply(data -> parse(bundle, data))
                .exceptionallyCompose(e -> {
                    Throwable cause = e instanceof CompletionException ? e.getCause() : e;
                    // tlog-tiles lets a log delete a partial bundle once the full one exists: same first entries.
                    if (bundle.isPartial() && cause instanceof FetchException f && f.kind() == FetchException.Kind.NOT_FOUND) {
                        return client.readAsync(bundle.full(), cap)
                                .thenApply(data -> parse(bundle.full(), data).subList(0, bundle.width()))
                                .exceptionallyCompose(ignored -> CompletableFuture.failedFuture(cause));
                    }
                    return CompletableFuture.failedFuture(cause);
                });
    }

    private static List<byte[]> parse(EntryBundleId served, byte[] data) {
        try {
            return EntryBundles.parse(served, data);
        } catch (TileFormatException e) {
            throw new CompletionException(e);
        }
    }

    private static List<byte[]> await(CompletableFuture<List<byte[]>> future)
            throws FetchException, TileFormatException, InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof CompletionException c && c.getCause() != null ? c.getCause() : e.getCause();
            if (cause instanceof FetchException f) {
                throw f;
            }
            if (cause instanceof TileFormatException t) {
                throw t;
            }
            throw new FetchException(FetchException.Kind.NETWORK, "bundle", -1, 1, String.valueOf(cause), cause);
        }
    }

    @Override
    public void close() {
        inFlight.forEach(f -> f.future().cancel(true));
        inFlight.clear();
    }
}
