package dev.vitra.watchdog.merkle;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * RFC 6962 / RFC 9162 hashing: SHA-256 with a 0x00 prefix for leaves and 0x01 for interior nodes.
 * An instance owns a {@link MessageDigest} and is not thread-safe; {@link #get()} hands out one per thread.
 */
public final class TreeHasher {
    private static final byte LEAF_PREFIX = 0x00;
    private static final byte NODE_PREFIX = 0x01;
    private static final ThreadLocal<TreeHasher> PER_THREAD = ThreadLocal.withInitial(TreeHasher::new);

    /** Root of the empty tree: SHA-256 of the empty string. */
    public static final Hash EMPTY_ROOT = new TreeHasher().sha256(new byte[0]);

    private final MessageDigest digest;

    public TreeHasher() {
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    public static TreeHasher get() {
        return PER_THREAD.get();
    }

    public Hash leafHash(byte[] entry) {
        return leafHash(entry, 0, entry.length);
    }

    public Hash leafHash(byte[] data, int offset, int length) {
        digest.update(LEAF_PREFIX);
        digest.update(data, offset, length);
        return new Hash(digest.digest());
    }

    public Hash nodeHash(Hash left, Hash right) {
        digest.update(NODE_PREFIX);
        digest.update(left.unsafeBytes());
        digest.update(right.unsafeBytes());
        return new Hash(digest.digest());
    }

    /** Plain SHA-256, for key ids and content digests that are not tree hashes. */
    public Hash sha256(byte[] data) {
        return new Hash(digest.digest(data));
    }
}
