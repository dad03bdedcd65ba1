package dev.vitra.watchdog.bench;

import dev.vitra.watchdog.merkle.Hash;
import dev.vitra.watchdog.merkle.RootAccumulator;
import dev.vitra.watchdog.merkle.TreeHasher;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Tree hashing over {@code count} entries of {@code size} bytes, against two baselines measured in the same
 * run: one SHA-256 over all the bytes in a stream, and one SHA-256 per entry.
 */
public final class TreeHashBench {
    public record Round(double streamSeconds, double perEntrySeconds, double treeSeconds) {
    }

    public record Report(int count, int size, List<Round> rounds, Hash root) {
        public double medianStream() {
            return Stats.median(rounds.stream().mapToDouble(Round::streamSeconds).toArray());
        }

        public double medianPerEntry() {
            return Stats.median(rounds.stream().mapToDouble(Round::perEntrySeconds).toArray());
        }

        public double medianTree() {
            return Stats.median(rounds.stream().mapToDouble(Round::treeSeconds).toArray());
        }
    }

    private TreeHashBench() {
    }

    public static Report run(int count, int size, int warmups, int rounds) throws NoSuchAlgorithmException {
        byte[] data = new byte[Math.multiplyExact(count, size)];
        new SplittableRandom(42).nextBytes(data);
        Hash root = null;
        List<Round> results = new ArrayList<>();
        for (int r = 0; r < warmups + rounds; r++) {
            long t0 = System.nanoTime();
            MessageDigest stream = MessageDigest.getInstance("SHA-256");
            stream.update(data);
            byte[] sink = stream.digest();
            long t1 = System.nanoTime();
            MessageDigest perEntry = MessageDigest.getInstance("SHA-256");
            for (int i = 0; i < count; i++) {
                perEntry.update(data, i * size, size);
                sink[i & 31] ^= perEntry.digest()[0];
            }
            long t2 = System.nanoTime();
            TreeHasher hasher = new TreeHasher();
            RootAccumulator acc = new RootAccumulator();
            for (int i = 0; i < count; i++) {
                acc.appendLeafHash(hasher.leafHash(data, i * size, size));
            }
            root = acc.root();
            long t3 = System.nanoTime();
            if (sink[0] == 42 && root.bytes()[0] == 42) {
                System.out.print("");
            }
            if (r >= warmups) {
                results.add(new Round((t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9));
            }
        }
        return new Report(count, size, results, root);
    }
}
