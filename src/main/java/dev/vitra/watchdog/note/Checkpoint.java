package dev.vitra.watchdog.note;

import dev.vitra.watchdog.merkle.Hash;
import dev.vitra.watchdog.util.StrictBase64;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The body of a C2SP tlog-checkpoint: origin line, decimal tree size, base64 root hash, then optional
 * extension lines, each ending in a newline. {@link #parse} and {@link #format} are exact inverses.
 */
public record Checkpoint(String origin, long size, Hash root, List<String> extensions) {
    private static final Pattern SIZE = Pattern.compile("0|[1-9][0-9]{0,18}");

    public Checkpoint {
        if (origin == null || origin.isEmpty()) {
            throw new IllegalArgumentException("checkpoint origin is empty");
        }
        if (origin.contains("\n")) {
            throw new IllegalArgumentException("checkpoint origin contains a newline");
        }
        if (size < 0) {
            throw new IllegalArgumentException("checkpoint size is negative: " + size);
        }
        extensions = List.copyOf(extensions);
        for (String ext : extensions) {
            if (ext.isEmpty() || ext.contains("\n")) {
                throw new IllegalArgumentException("checkpoint extension lines must be non-empty single lines");
            }
        }
    }

    public Checkpoint(String origin, long size, Hash root) {
        this(origin, size, root, List.of());
    }

    public static Checkpoint parse(String text) throws MalformedNoteException {
        if (!text.endsWith("\n")) {
            throw new MalformedNoteException("checkpoint text does not end with a newline");
        }
        String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
        if (lines.length < 3) {
            throw new MalformedNoteException("checkpoint has " + lines.length
                    + " lines; it needs an origin, a size and a root hash");
        }
        String origin = lines[0];
        if (origin.isEmpty()) {
            throw new MalformedNoteException("checkpoint origin line is empty");
        }
        if (!SIZE.matcher(lines[1]).matches()) {
            throw new MalformedNoteException("checkpoint size \"" + lines[1]
                    + "\" must be a decimal number without sign or leading zeros");
        }
        long size;
        try {
            size = Long.parseLong(lines[1]);
        } catch (NumberFormatException e) {
            throw new MalformedNoteException("checkpoint size " + lines[1] + " is larger than 2^63-1", e);
        }
        Hash root;
        try {
            byte[] rootBytes = StrictBase64.decode(lines[2], "checkpoint root hash");
            if (rootBytes.length != Hash.SIZE) {
                throw new MalformedNoteException("checkpoint root hash is " + rootBytes.length + " bytes, expected 32");
            }
            root = new Hash(rootBytes);
        } catch (IllegalArgumentException e) {
            throw new MalformedNoteException(e.getMessage(), e);
        }
        List<String> extensions = List.of(lines).subList(3, lines.length);
        for (int i = 0; i < extensions.size(); i++) {
            if (extensions.get(i).isEmpty()) {
                throw new MalformedNoteException("checkpoint extension line " + (i + 1) + " is empty");
            }
        }
        return new Checkpoint(origin, size, root, extensions);
    }

    public String format() {
        StringBuilder sb = new StringBuilder();
        sb.append(origin).append('\n').append(size).append('\n').append(root.toBase64()).append('\n');
        extensions.forEach(e -> sb.append(e).append('\n'));
        return sb.toString();
    }
}
