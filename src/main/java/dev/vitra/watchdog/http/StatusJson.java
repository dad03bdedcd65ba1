package dev.vitra.watchdog.http;

import dev.vitra.watchdog.audit.PassReport;
import dev.vitra.watchdog.protocol.Json;
import dev.vitra.watchdog.protocol.JsonValue;
import dev.vitra.watchdog.protocol.MalformedJsonException;
import dev.vitra.watchdog.schedule.MonitorState;
import dev.vitra.watchdog.store.Rows;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** The JSON of the status API (docs/service.md) and of {@code audit --json}'s findings. */
public final class StatusJson {
    private StatusJson() {
    }

    /** A monitor's status: state, positions, last pass, open findings (as of its last pass). */
    public static JsonValue monitor(MonitorState m, Instant now) {
        MonitorState.Snapshot s = m.snapshot();
        Map<String, JsonValue> o = new LinkedHashMap<>();
        o.put("name", str(m.config().name()));
        o.put("state", str(m.health(now).name().toLowerCase(java.util.Locale.ROOT)));
        o.put("executor", str(m.config().executor()));
        o.put("indexLog", str(m.config().indexLog().hex()));
        o.put("stale", m.stale(now) ? JsonValue.TRUE : JsonValue.FALSE);
        o.put("running", s.running() ? JsonValue.TRUE : JsonValue.FALSE);
        o.put("passes", num(s.passes()));
        s.lastPassAt().ifPresent(t -> o.put("lastPassAt", str(t.toString())));
        s.lastSuccessAt().ifPresent(t -> o.put("lastSuccessAt", str(t.toString())));
        s.lastError().ifPresent(e -> o.put("lastError", str(e)));
        s.lastReport().ifPresent(r -> {
            o.put("verdict", str(r.verdict().name().toLowerCase(java.util.Locale.ROOT)));
            o.put("status", str(r.status().name().toLowerCase(java.util.Locale.ROOT)));
            o.put("verifiedPosition", num(r.verifiedPosition()));
            o.put("indexSize", num(r.indexSize()));
            o.put("publishedSize", num(s.publishedSize()));
            o.put("lagEntries", num(m.lagEntries()));
            o.put("lagSeconds", num(m.lagSeconds(now)));
            o.put("lastPassTransactions", num(r.transactions()));
            o.put("lastPassMillis", num(r.duration().toMillis()));
            o.put("logs", new JsonValue.Arr(r.logs().stream().map(StatusJson::logPosition).toList()));
            o.put("notes", new JsonValue.Arr(r.notes().stream().map(StatusJson::str).toList()));
        });
        o.put("openFindings", new JsonValue.Arr(m.openFindings().stream().map(StatusJson::finding).toList()));
        return new JsonValue.Obj(o);
    }

    /** Where one log stands: its verified size and, for an oplog, the next op to process and whether it participates. */
    public static JsonValue logPosition(PassReport.LogPosition p) {
        Map<String, JsonValue> l = new LinkedHashMap<>();
        l.put("log", str(p.log().hex()));
        l.put("role", str(p.role().name().toLowerCase(java.util.Locale.ROOT)));
        l.put("verifiedSize", num(p.verifiedSize()));
        if (p.role() == Rows.LogRole.OPLOG) {
            l.put("nextSeq", num(p.nextSeq()));
            l.put("active", p.active() ? JsonValue.TRUE : JsonValue.FALSE);
        }
        return new JsonValue.Obj(l);
    }

    public static JsonValue finding(Rows.Finding f) {
        Map<String, JsonValue> o = new LinkedHashMap<>();
        o.put("id", num(f.id()));
        o.put("kind", str(f.kind()));
        o.put("code", str(f.code()));
        f.log().ifPresent(l -> o.put("log", str(l.hex())));
        f.atPosition().ifPresent(a -> o.put("at", num(a)));
        f.entryPosition().ifPresent(e -> o.put("entry", num(e)));
        f.opSeq().ifPresent(s -> o.put("seq", num(s)));
        o.put("summary", str(f.summary()));
        f.proofId().ifPresent(id -> o.put("proofId", str(id)));
        try {
            o.put("facts", Json.parse(f.factsJson()));
        } catch (MalformedJsonException e) {
            o.put("facts", str(f.factsJson()));
        }
        o.put("firstSeenAt", num(f.firstSeenAt()));
        f.resolvedAt().ifPresent(t -> o.put("resolvedAt", num(t)));
        return new JsonValue.Obj(o);
    }

    static JsonValue str(String s) {
        return new JsonValue.Str(s);
    }

    static JsonValue num(long n) {
        return new JsonValue.Num(Long.toString(n), n);
    }
}
