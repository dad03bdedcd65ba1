package dev.vitra.watchdog.merkle;

import java.util.List;

/** RFC 9162 inclusion proof: the audit path of leaf {@code index} in a tree of {@code treeSize} leaves. */
public record InclusionProof(long index, long treeSize, List<Hash> path) {
    public InclusionProof {
        path = List.copyOf(path);
    }
}
