package dev.vitra.watchdog.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

/**
 * Mutation-based fuzzing for parsers: takes a valid input and applies a few random edits of the kinds that
 * found real bugs here (flipped bits, inserted digits from other scripts, doubled separators, huge numbers,
 * truncation, splices of the input into itself). Deterministic for a seed, so a failing property replays.
 */
public final class Mutator {
    /** Fragments that are valid somewhere and dangerous elsewhere. */
    private static final String[] INTERESTING = {
        "\u0667", "\uff11", "\u0969", "+", "-", "/", "x", "x999/", "x000/", ".p/", "\n", "\n\n", " ", "\u2014 ",
        "9223372036854775807", "99999999999999999999", "0", "00", "A", "=", "==", "\u0000", "\uFEFF", "\"", "\\u0000",
        "{", "}", "[", "]", ",", ":", "1e400", "-0", "\ud800",
    };

    private Mutator() {
    }

    public static byte[] mutate(byte[] input, long seed, int edits) {
        Random random = new Random(seed);
        byte[] data = input.clone();
        for (int i = 0; i < edits; i++) {
            data = edit(data, random);
        }
        return data;
    }

    public static String mutate(String input, long seed, int edits) {
        return new String(mutate(input.getBytes(StandardCharsets.UTF_8), seed, edits), StandardCharsets.UTF_8);
    }

    private static byte[] edit(byte[] data, Random random) {
        int pos = data.length == 0 ? 0 : random.nextInt(data.length + 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length + 32);
        switch (random.nextInt(7)) {
            case 0 -> { // flip a bit
                if (data.length == 0) {
                    return new byte[] {(byte) random.nextInt(256)};
                }
                byte[] copy = data.clone();
                int at = random.nextInt(copy.length);
                copy[at] ^= (byte) (1 << random.nextInt(8));
                return copy;
            }
            case 1 -> { // a random byte
                out.write(data, 0, pos);
                out.write(random.nextInt(256));
                out.write(data, pos, data.length - pos);
            }
            case 2 -> { // an interesting fragment
                out.write(data, 0, pos);
                out.writeBytes(INTERESTING[random.nextInt(INTERESTING.length)].getBytes(StandardCharsets.UTF_8));
                out.write(data, pos, data.length - pos);
            }
            case 3 -> { // delete a range
                int len = Math.min(data.length - pos, 1 + random.nextInt(8));
                out.write(data, 0, pos);
                out.write(data, pos + len, data.length - pos - len);
            }
            case 4 -> { // duplicate a range
                int len = Math.min(data.length - pos, 1 + random.nextInt(16));
                out.write(data, 0, pos + len);
                out.write(data, pos, data.length - pos);
            }
            case 5 -> { // truncate
                return Arrays.copyOf(data, pos);
            }
            default -> { // replace a byte with one from elsewhere in the input
                if (data.length < 2) {
                    return data;
                }
                byte[] copy = data.clone();
                copy[random.nextInt(copy.length)] = copy[random.nextInt(copy.length)];
                return copy;
            }
        }
        return out.toByteArray();
    }
}
