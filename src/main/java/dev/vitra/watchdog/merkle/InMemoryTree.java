package dev.vitra.watchdog.merkle;

import java.util.ArrayList;
import java.util.List;

/** A tree whose every level is held in memory: a {@link NodeSource} for tests, tools and small logs. */
public final class InMemoryTree implements NodeSource {
    private final TreeHasher hasher = new TreeHasher();
    private final List<List<Hash>> levels = new ArrayList<>();

    public InMemoryTree() {
        levels.add(new ArrayList<>());
    }

    public static InMemoryTree ofEntries(List<byte[]> entries) {
        InMemoryTree tree = new InMemoryTree();
        entries.forEach(tree::appendEntry);
        return tree;
    }

    public long size() {
        return levels.get(0).size();
    }

    public void appendEntry(byte[] entry) {
        appendLeafHash(hasher.leafHash(entry));
    }

    public void appendLeafHash(Hash leaf) {
        levels.get(0).add(leaf);
        int level = 0;
        while (levels.get(level).size() % 2 == 0) {
            List<Hash> below = levels.get(level);
            Hash parent = hasher.nodeHash(below.get(below.size() - 2), below.get(below.size() - 1));
            if (levels.size() == level + 1) {
                levels.add(new ArrayList<>());
            }
            levels.get(level + 1).add(parent);
            level++;
        }
    }

    @Override
    public Hash perfectNode(int level, long index) throws NodeUnavailableException {
        if (level >= levels.size() || index >= levels.get(level).size()) {
            throw new NodeUnavailableException("no node " + level + "/" + index + " in a tree of size " + size());
        }
        return levels.get(level).get(Math.toIntExact(index));
    }

    /** A proof builder for the first {@code treeSize} leaves of this tree. */
    public ProofBuilder at(long treeSize) {
        if (treeSize > size()) {
            throw new IllegalArgumentException("tree has only " + size() + " leaves, asked for " + treeSize);
        }
        return new ProofBuilder(this, treeSize);
    }
}
