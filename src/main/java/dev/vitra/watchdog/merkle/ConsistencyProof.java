package dev.vitra.watchdog.merkle;

import java.util.List;

/** RFC 9162 consistency proof between the trees of {@code oldSize} and {@code newSize} leaves. */
public record ConsistencyProof(long oldSize, long newSize, List<Hash> path) {
    public ConsistencyProof {
        path = List.copyOf(path);
    }
}
