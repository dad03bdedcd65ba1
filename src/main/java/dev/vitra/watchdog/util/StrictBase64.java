package dev.vitra.watchdog.util;

import java.util.Base64;

/**
 * Standard base64 (RFC 4648 section 4) that accepts only the canonical encoding: padded, no line breaks, no
 * stray bits. The JDK decoder alone tolerates missing padding and non-zero trailing bits, which would let two
 * different strings stand for the same signature or hash.
 */
public final class StrictBase64 {
    private StrictBase64() {
    }

    /** Decodes {@code text}; {@code what} names the field in the error message. */
    public static byte[] decode(String text, String what) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException(what + " is empty");
        }
        if (text.length() % 4 != 0) {
            throw new IllegalArgumentException(what + " is truncated base64: length " + text.length() + " is not a multiple of 4");
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " is not valid base64: " + e.getMessage(), e);
        }
        if (!Base64.getEncoder().encodeToString(decoded).equals(text)) {
            throw new IllegalArgumentException(what + " is not canonical base64");
        }
        return decoded;
    }

    public static String encode(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }
}
