package dev.vitra.watchdog.merkle;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A deliberately naive, independent RFC 6962 implementation written straight from the RFC's recursive
 * definitions (MTH, PATH, PROOF/SUBPROOF) over byte arrays, sharing no code with the production classes. It
 * generates this project's own vectors. Memoised by range only so that the exhaustive tests finish quickly.
 */
final class NaiveMerkle {
    private final List<byte[]> leaves;
    private final Map<Long, byte[]> memo = new HashMap<>();

    NaiveMerkle(List<byte[]> entries) {
        this.leaves = entries;
    }

    static byte[] sha256(byte[]... parts) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (byte[] p : parts) {
                d.update(p);
            }
            return d.digest();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** MTH(D[lo:hi]). */
    byte[] mth(int lo, int hi) {
        int n = hi - lo;
        if (n == 0) {
            return sha256();
        }
        long key = ((long) lo << 32) | hi;
        byte[] cached = memo.get(key);
        if (cached != null) {
            return cached;
        }
        byte[] result;
        if (n == 1) {
            result = sha256(new byte[] {0}, leaves.get(lo));
        } else {
            int k = 1;
            while (k * 2 < n) {
                k *= 2;
            }
            result = sha256(new byte[] {1}, mth(lo, lo + k), mth(lo + k, hi));
        }
        memo.put(key, result);
        return result;
    }

    /** PATH(m, D[lo:hi]), m relative to lo. */
    List<byte[]> path(int m, int lo, int hi) {
        int n = hi - lo;
        List<byte[]> out = new ArrayList<>();
        if (n == 1) {
            return out;
        }
        int k = 1;
        while (k * 2 < n) {
            k *= 2;
        }
        if (m < k) {
            out.addAll(path(m, lo, lo + k));
            out.add(mth(lo + k, hi));
        } else {
            out.addAll(path(m - k, lo + k, hi));
            out.add(mth(lo, lo + k));
        }
        return out;
    }

    /** PROOF(m, D[0:n]). */
    List<byte[]> proof(int m, int n) {
        return subproof(m, 0, n, true);
    }

    private List<byte[]> subproof(int m, int lo, int hi, boolean b) {
        int n = hi - lo;
        List<byte[]> out = new ArrayList<>();
        if (m == n) {
            if (!b) {
                out.add(mth(lo, hi));
            }
            return out;
        }
        int k = 1;
        while (k * 2 < n) {
            k *= 2;
        }
        if (m <= k) {
            out.addAll(subproof(m, lo, lo + k, b));
            out.add(mth(lo + k, hi));
        } else {
            out.addAll(subproof(m - k, lo + k, hi, false));
            out.add(mth(lo, lo + k));
        }
        return out;
    }
}
