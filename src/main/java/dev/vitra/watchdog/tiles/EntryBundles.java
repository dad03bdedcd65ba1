package dev.vitra.watchdog.tiles;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Codec for entry bundles: each entry as a big-endian uint16 length followed by its bytes. */
public final class EntryBundles {
    public static final int MAX_ENTRY_BYTES = 0xFFFF;

    private EntryBundles() {
    }

    /** Parses a bundle that must hold exactly {@code id.width()} entries and nothing after them. */
    public static List<byte[]> parse(EntryBundleId id, byte[] data) throws TileFormatException {
        List<byte[]> entries = new ArrayList<>(id.width());
        int pos = 0;
        while (pos < data.length) {
            if (entries.size() == id.width()) {
                throw new TileFormatException(id.path() + " has " + (data.length - pos) + " trailing bytes after its "
                        + id.width() + " entries");
            }
            if (data.length - pos < 2) {
                throw new TileFormatException(id.path() + " ends inside the length prefix of entry " + entries.size());
            }
            int len = ((data[pos] & 0xff) << 8) | (data[pos + 1] & 0xff);
            pos += 2;
            if (data.length - pos < len) {
                throw new TileFormatException(id.path() + " entry " + entries.size() + " claims " + len
                        + " bytes but only " + (data.length - pos) + " remain");
            }
            entries.add(Arrays.copyOfRange(data, pos, pos + len));
            pos += len;
        }
        if (entries.size() != id.width()) {
            throw new TileFormatException(id.path() + " has " + entries.size() + " entries, expected " + id.width());
        }
        return entries;
    }

    public static byte[] format(List<byte[]> entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] e : entries) {
            if (e.length > MAX_ENTRY_BYTES) {
                throw new IllegalArgumentException("entry of " + e.length + " bytes exceeds " + MAX_ENTRY_BYTES);
            }
            out.write(e.length >>> 8);
            out.write(e.length & 0xff);
            out.writeBytes(e);
        }
        return out.toByteArray();
    }
}
