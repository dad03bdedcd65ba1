package dev.vitra.watchdog.contract;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/** An index held in memory; not thread-safe. */
public final class MemoryIndex implements IndexView {
    private final NavigableMap<String, IndexEntry> entries = new TreeMap<>();

    public void put(String path, String valueJson, long seq) {
        entries.put(path, new IndexEntry(path, valueJson, seq));
    }

    public void delete(String path) {
        entries.remove(path);
    }

    /** Applies a transaction's changes; the i-th change was written at index position {@code firstSeq + i}. */
    public void apply(List<Change> changes, long firstSeq) {
        long seq = firstSeq;
        for (Change c : changes) {
            if (c.type() == Change.Type.PUT) {
                put(c.path(), c.valueJson().orElseThrow(), seq);
            } else {
                delete(c.path());
            }
            seq++;
        }
    }

    public void clear() {
        entries.clear();
    }

    public int size() {
        return entries.size();
    }

    @Override
    public Optional<IndexEntry> get(String path) {
        return Optional.ofNullable(entries.get(path));
    }

    @Override
    public List<IndexChild> list(String prefix) {
        String from = prefix + "/";
        // '0' is the character after '/', so this is exactly the keys under prefix/.
        Map<String, IndexEntry> under = entries.subMap(from, true, prefix + "0", false);
        TreeMap<String, boolean[]> containers = new TreeMap<>();
        TreeMap<String, IndexEntry> values = new TreeMap<>();
        for (IndexEntry e : under.values()) {
            String rest = e.path().substring(from.length());
            int slash = rest.indexOf('/');
            String name = slash < 0 ? rest : rest.substring(0, slash);
            if (slash < 0) {
                values.put(name, e);
            } else {
                containers.put(name, new boolean[] {true});
            }
        }
        TreeMap<String, IndexChild> children = new TreeMap<>();
        for (var v : values.entrySet()) {
            children.put(v.getKey(), new IndexChild(v.getKey(), from + v.getKey(), Optional.of(v.getValue()),
                    containers.containsKey(v.getKey())));
        }
        for (String name : containers.keySet()) {
            children.putIfAbsent(name, new IndexChild(name, from + name, Optional.empty(), true));
        }
        return new ArrayList<>(children.values());
    }
}
