package dev.vitra.watchdog.merkle;

import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A SHA-256 digest: exactly 32 bytes. Every Merkle hash, root and proof element is one of these, so a
 * hash of the wrong length cannot exist past parsing.
 */
public record Hash(byte[] bytes) implements Comparable<Hash> {
    public static final int SIZE = 32;

    public Hash {
        if (bytes == null) {
            throw new IllegalArgumentException("hash is null");
        }
        if (bytes.length != SIZE) {
            throw new IllegalArgumentException("hash must be " + SIZE + " bytes, got " + bytes.length);
        }
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** Copies the 32 bytes into {@code dest} at {@code offset}. */
    public void copyTo(byte[] dest, int offset) {
        System.arraycopy(bytes, 0, dest, offset, SIZE);
    }

    byte[] unsafeBytes() {
        return bytes;
    }

    public static Hash fromBase64(String text) {
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("hash is not valid base64: " + e.getMessage(), e);
        }
        return new Hash(decoded);
    }

    public static Hash fromHex(String hex) {
        return new Hash(HexFormat.of().parseHex(hex));
    }

    public static Hash fromBytes(byte[] source, int offset) {
        if (offset < 0 || source.length - offset < SIZE) {
            throw new IllegalArgumentException("need " + SIZE + " bytes at offset " + offset + ", have " + (source.length - offset));
        }
        return new Hash(Arrays.copyOfRange(source, offset, offset + SIZE));
    }

    public String toBase64() {
        return Base64.getEncoder().encodeToString(bytes);
    }

    public String toHex() {
        return HexFormat.of().formatHex(bytes);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Hash h && Arrays.equals(bytes, h.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public int compareTo(Hash other) {
        return Arrays.compareUnsigned(bytes, other.bytes);
    }

    @Override
    public String toString() {
        return toHex();
    }
}
