package dev.vitra.watchdog.tiles;

import dev.vitra.watchdog.merkle.Hash;
import java.util.ArrayList;
import java.util.List;

/** Codec for hash tiles: concatenated 32-byte hashes, exactly {@code width} of them. */
public final class HashTiles {
    private HashTiles() {
    }

    public static List<Hash> parse(HashTileId id, byte[] data) throws TileFormatException {
        if (data.length != id.byteLength()) {
            throw new TileFormatException(id.path() + " is " + data.length + " bytes, expected " + id.byteLength()
                    + " (" + id.width() + " hashes of 32 bytes)");
        }
        List<Hash> hashes = new ArrayList<>(id.width());
        for (int i = 0; i < id.width(); i++) {
            hashes.add(Hash.fromBytes(data, i * Hash.SIZE));
        }
        return hashes;
    }

    public static byte[] format(List<Hash> hashes) {
        if (hashes.isEmpty() || hashes.size() > TileResource.FULL_WIDTH) {
            throw new IllegalArgumentException("a tile holds 1..256 hashes, got " + hashes.size());
        }
        byte[] out = new byte[hashes.size() * Hash.SIZE];
        for (int i = 0; i < hashes.size(); i++) {
            hashes.get(i).copyTo(out, i * Hash.SIZE);
        }
        return out;
    }
}
