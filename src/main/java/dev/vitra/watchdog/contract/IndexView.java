package dev.vitra.watchdog.contract;

import dev.vitra.watchdog.util.JsonText;
import java.util.List;
import java.util.Optional;

/**
 * The index state a transaction reads ({@code index.get}, {@code index.list}, {@code listOplogs}): the state as
 * of the start of the transaction. Paths given to it are already normalised. The audit engine backs it with
 * its store; {@link MemoryIndex} keeps it in memory.
 */
public interface IndexView {
    Optional<IndexEntry> get(String path);

    /** Direct children of {@code prefix}, ordered by name (UTF-16 code units). */
    List<IndexChild> list(String prefix);

    /** A value at {@code path}: its JSON text and the index position that wrote it. */
    record IndexEntry(String path, String valueJson, long seq) {
        public String name() {
            return path.substring(path.lastIndexOf('/') + 1);
        }

        String toJson() {
            return "{\"path\":" + JsonText.quote(path) + ",\"name\":" + JsonText.quote(name()) + ",\"value\":" + valueJson
                    + ",\"seq\":" + seq + "}";
        }
    }

    /** One child name under a prefix: a value, a container of deeper paths, or both. */
    record IndexChild(String name, String path, Optional<IndexEntry> value, boolean container) {
        String toJson() {
            StringBuilder sb = new StringBuilder("{\"path\":").append(JsonText.quote(path)).append(",\"name\":").append(JsonText.quote(name));
            value.ifPresent(v -> sb.append(",\"value\":").append(v.valueJson()).append(",\"seq\":").append(v.seq()));
            return sb.append(",\"container\":").append(container).append('}').toString();
        }
    }
}
