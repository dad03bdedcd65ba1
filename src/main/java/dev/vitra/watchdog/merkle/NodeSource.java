package dev.vitra.watchdog.merkle;

/**
 * Supplies hashes of perfect subtrees: the node at {@code level} and {@code index} covers leaves
 * {@code [index << level, (index + 1) << level)}. Implementations may read memory, files or tiles fetched
 * over the network; they are untrusted, which is why every proof built from them is verified against a
 * signed root before it is believed.
 */
@FunctionalInterface
public interface NodeSource {
    Hash perfectNode(int level, long index) throws NodeUnavailableException;
}
