package dev.vitra.watchdog.audit;

import dev.vitra.watchdog.contract.IndexView;
import dev.vitra.watchdog.contract.MemoryIndex;
import dev.vitra.watchdog.store.Rows;
import dev.vitra.watchdog.store.StoreSession;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The contract state as of the transaction being checked: what the store holds as of the last commit, overlaid
 * with the changes of the transactions verified since (kept in memory until the chunk commits). Ordering is
 * Java's {@code String.compareTo}, i.e. UTF-16 code units, as the protocol defines it; the store is only asked
 * for exact paths and prefixes, never to sort. Reads of committed entries are cached (bounded).
 */
final class StateView implements IndexView {
    private static final int CACHE_ENTRIES = 50_000;

    private final StoreSession session;
    private final long dbId;
    /** Changes since the last commit; an empty value is a deletion. */
    private final NavigableMap<String, Optional<Rows.StateEntry>> dirty = new TreeMap<>();
    private final Map<String, Optional<Rows.StateEntry>> cache = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Optional<Rows.StateEntry>> eldest) {
            return size() > CACHE_ENTRIES;
        }
    };

    StateView(StoreSession session, long dbId) {
        this.session = session;
        this.dbId = dbId;
    }

    Optional<Rows.StateEntry> entry(String path) {
        Optional<Rows.StateEntry> changed = dirty.get(path);
        if (changed != null) {
            return changed;
        }
        Optional<Rows.StateEntry> cached = cache.get(path);
        if (cached == null) {
            cached = session.stateGet(dbId, path);
            cache.put(path, cached);
        }
        return cached;
    }

    @Override
    public Optional<IndexEntry> get(String path) {
        return entry(path).map(e -> new IndexEntry(e.path(), e.valueJson(), e.writtenAt()));
    }

    @Override
    public List<IndexChild> list(String prefix) {
        String from = prefix + "/";
        MemoryIndex merged = new MemoryIndex();
        for (Rows.StateEntry e : session.stateWithPrefix(dbId, from)) {
            if (!dirty.containsKey(e.path())) {
                merged.put(e.path(), e.valueJson(), e.writtenAt());
            }
        }
        // '0' follows '/', so this is exactly the changed paths under prefix/.
        for (Optional<Rows.StateEntry> changed : dirty.subMap(from, true, prefix + "0", false).values()) {
            changed.ifPresent(e -> merged.put(e.path(), e.valueJson(), e.writtenAt()));
        }
        return merged.list(prefix);
    }

    void put(String path, String valueJson, long writtenAt) {
        dirty.put(path, Optional.of(new Rows.StateEntry(path, valueJson, writtenAt)));
    }

    void delete(String path) {
        dirty.put(path, Optional.empty());
    }

    int uncommittedChanges() {
        return dirty.size();
    }

    /** Hands the changes to the session (to commit with the rest of the chunk) and keeps them as cached reads. */
    void writeTo(StoreSession target) {
        for (Map.Entry<String, Optional<Rows.StateEntry>> e : dirty.entrySet()) {
            target.statePut(dbId, e.getKey(), e.getValue());
            cache.put(e.getKey(), e.getValue());
        }
        dirty.clear();
    }

    /** Forgets uncommitted changes (their transactions will be checked again). */
    void discardUncommitted() {
        dirty.clear();
    }
}
