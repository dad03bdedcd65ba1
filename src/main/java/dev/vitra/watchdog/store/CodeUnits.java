package dev.vitra.watchdog.store;

/**
 * A string as its UTF-16 code units, two big-endian bytes each, exactly: the protocol orders and compares paths by
 * code units, and a path may hold any of them, a lone surrogate or NUL included. (Java's UTF-16 charsets replace a
 * lone surrogate with U+FFFD, which made two paths one row; PostgreSQL's text cannot hold NUL or lone surrogates.)
 */
public final class CodeUnits {
    private CodeUnits() {
    }

    public static byte[] encode(String s) {
        return encode(s, s.length());
    }

    /** The first {@code max} code units of {@code s} (all of them when it is shorter). */
    public static byte[] encode(String s, int max) {
        int n = Math.min(s.length(), max);
        byte[] out = new byte[2 * n];
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            out[2 * i] = (byte) (c >>> 8);
            out[2 * i + 1] = (byte) c;
        }
        return out;
    }

    public static String decode(byte[] units) {
        if ((units.length & 1) != 0) {
            throw new IllegalArgumentException("UTF-16 code units come in pairs of bytes; got " + units.length + " bytes");
        }
        char[] chars = new char[units.length / 2];
        for (int i = 0; i < chars.length; i++) {
            chars[i] = (char) ((units[2 * i] & 0xff) << 8 | units[2 * i + 1] & 0xff);
        }
        return new String(chars);
    }
}
