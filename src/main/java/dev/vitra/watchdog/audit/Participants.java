package dev.vitra.watchdog.audit;

import dev.vitra.watchdog.note.LogId;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Every oplog that has ever been a participant, as of the position the audit has verified: its next op (which
 * survives removal, PROTOCOL §3), whether it is active, and where it was first added. Changes are remembered
 * until the chunk commits.
 */
final class Participants {
    /** One oplog's standing. */
    record Participation(LogId oplog, long nextSeq, boolean active, OptionalLong addedAt) {
    }

    private final Map<LogId, Participation> all = new LinkedHashMap<>();
    private final Set<LogId> changed = new LinkedHashSet<>();

    void load(Participation p) {
        all.put(p.oplog(), p);
    }

    Optional<Participation> get(LogId oplog) {
        return Optional.ofNullable(all.get(oplog));
    }

    boolean isActive(LogId oplog) {
        Participation p = all.get(oplog);
        return p != null && p.active();
    }

    long nextSeq(LogId oplog) {
        Participation p = all.get(oplog);
        return p == null ? 0 : p.nextSeq();
    }

    int count() {
        return all.size();
    }

    Collection<Participation> all() {
        return all.values();
    }

    /** Records the active flag an input entry sets; returns the previous standing, if any. */
    Optional<Participation> setActive(LogId oplog, boolean active, long position) {
        Participation before = all.get(oplog);
        Participation after = before == null ? new Participation(oplog, 0, active, OptionalLong.of(position))
                : new Participation(oplog, before.nextSeq(), active, before.addedAt());
        all.put(oplog, after);
        changed.add(oplog);
        return Optional.ofNullable(before);
    }

    void processed(LogId oplog, long seq) {
        Participation p = all.get(oplog);
        all.put(oplog, new Participation(oplog, seq + 1, p.active(), p.addedAt()));
        changed.add(oplog);
    }

    /** The standings changed since the last call. */
    Collection<Participation> drainChanged() {
        var out = changed.stream().map(all::get).toList();
        changed.clear();
        return out;
    }
}
