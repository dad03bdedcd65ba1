package dev.vitra.watchdog.note;

import dev.vitra.watchdog.merkle.TreeHasher;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** The 32-bit key id of a signed-note key: the first four bytes of SHA-256(name || 0x0A || type || key). */
public record KeyId(int value) {
    static final byte ED25519 = 0x01;

    public static KeyId forEd25519(String name, Ed25519PublicKey key) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        buf.writeBytes(name.getBytes(StandardCharsets.UTF_8));
        buf.write('\n');
        buf.write(ED25519);
        buf.writeBytes(key.bytes());
        byte[] digest = new TreeHasher().sha256(buf.toByteArray()).bytes();
        return fromBytes(digest, 0);
    }

    public static KeyId fromBytes(byte[] b, int offset) {
        return new KeyId(((b[offset] & 0xff) << 24) | ((b[offset + 1] & 0xff) << 16)
                | ((b[offset + 2] & 0xff) << 8) | (b[offset + 3] & 0xff));
    }

    /**
     * Parses exactly eight ASCII hex digits, lowercase or uppercase. (Not {@code Long.parseLong}: it also takes a
     * sign and non-ASCII digits, so two different texts would name one key id.)
     */
    public static KeyId parseHex(String hex) {
        if (hex.length() != 8 || !hex.chars().allMatch(HexFormat::isHexDigit)) {
            throw new IllegalArgumentException("key id must be 8 hex digits, got \"" + hex + "\"");
        }
        return new KeyId(HexFormat.fromHexDigits(hex));
    }

    public void writeTo(byte[] dest, int offset) {
        dest[offset] = (byte) (value >>> 24);
        dest[offset + 1] = (byte) (value >>> 16);
        dest[offset + 2] = (byte) (value >>> 8);
        dest[offset + 3] = (byte) value;
    }

    public String toHex() {
        return String.format("%08x", value);
    }

    @Override
    public String toString() {
        return toHex();
    }
}
