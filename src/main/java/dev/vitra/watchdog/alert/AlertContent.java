package dev.vitra.watchdog.alert;

import dev.vitra.watchdog.protocol.Json;
import dev.vitra.watchdog.protocol.JsonValue;
import dev.vitra.watchdog.store.Rows;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What an alert says, the same for every channel: the variables templates may use (docs/alerts.md lists them) and the
 * webhook payload ({@code vitra-watchdog-alert/1}). Built from stored rows only, so a repeat says what the first
 * said, updated with when the incident was last seen.
 *
 * @param proof the fraud proof document, when the finding has one
 */
public record AlertContent(Rows.Alert alert, Rows.Finding finding, Rows.Database database, Optional<byte[]> proof) {
    public static final String PAYLOAD_VERSION = "vitra-watchdog-alert/1";

    /**
     * Whose misbehaviour a fraud finding proves: a participant's when it is about one of the oplogs (a fork of it,
     * PROTOCOL §5: never the executor's), else the executor's.
     */
    public String culprit() {
        if (!finding.kind().equals("fraud")) {
            return "";
        }
        return finding.isParticipantsFraud(database.indexLog()) ? "participant" : "executor";
    }

    /** The template kind: resolved for a resolved event, else the finding's kind. */
    public String templateKind() {
        return alert.event().equals(AlertPlanner.RESOLVED) ? "resolved" : alert.kind();
    }

    public Optional<String> proofId() {
        return finding.proofId();
    }

    public String proofFileName() {
        return "proof-" + finding.proofId().orElse("none") + ".json";
    }

    public int repeatNumber() {
        String[] parts = alert.dedupKey().split(":");
        return alert.event().equals(AlertPlanner.REPEAT) ? Integer.parseInt(parts[parts.length - 1]) : 0;
    }

    /** The template variables (every one always present, so a template may use any of them). */
    public Map<String, Object> variables() {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("monitor", alert.monitor());
        v.put("database", database.indexLog().hex());
        v.put("executor", database.executorUrl());
        v.put("kind", finding.kind());
        v.put("code", finding.code());
        v.put("event", alert.event());
        v.put("firing", alert.event().equals(AlertPlanner.FIRING));
        v.put("repeat", alert.event().equals(AlertPlanner.REPEAT));
        v.put("resolved", alert.event().equals(AlertPlanner.RESOLVED));
        v.put("repeatNumber", repeatNumber());
        v.put("summary", finding.summary());
        v.put("culprit", culprit());
        v.put("byParticipant", culprit().equals("participant"));
        v.put("facts", finding.factsJson());
        v.put("log", finding.log().map(l -> l.hex()).orElse(""));
        v.put("position", text(finding.atPosition()));
        v.put("entry", text(finding.entryPosition()));
        v.put("seq", text(finding.opSeq()));
        v.put("firstSeen", Instant.ofEpochMilli(finding.firstSeenAt()).toString());
        v.put("lastSeen", Instant.ofEpochMilli(finding.lastSeenAt()).toString());
        v.put("resolvedAt", finding.resolvedAt().isPresent() ? Instant.ofEpochMilli(finding.resolvedAt().getAsLong()).toString() : "");
        v.put("hasProof", finding.proofId().isPresent());
        v.put("proofId", finding.proofId().orElse(""));
        v.put("proofFile", finding.proofId().isPresent() ? proofFileName() : "");
        v.put("proofAttached", proof.isPresent()); // email: whether the proof file is attached (not when too large)
        v.put("verifyCommand", finding.proofId().isPresent() ? "vitra-watchdog verify-proof " + proofFileName() : "");
        v.put("messageId", alert.messageId());
        return v;
    }

    private static String text(OptionalLong v) {
        return v.isPresent() ? Long.toString(v.getAsLong()) : "";
    }

    /** A context with every variable set, for checking templates: {@code proof} picks whether there is a proof. */
    static Map<String, Object> sample(String kind, boolean proof) {
        Rows.Finding f = new Rows.Finding(1, 1, kind.equals("resolved") ? "availability" : kind, "Code",
                Optional.empty(), OptionalLong.of(4), OptionalLong.of(5), OptionalLong.of(6), "k", "summary", "{}", 0, 0,
                kind.equals("resolved") ? OptionalLong.of(1) : OptionalLong.empty(),
                proof ? Optional.of("0".repeat(64)) : Optional.empty());
        Rows.Alert a = new Rows.Alert(1, 1, 1, "Code", "finding#1", "channel", "monitor", f.kind(),
                kind.equals("resolved") ? AlertPlanner.RESOLVED : AlertPlanner.FIRING, "1:channel:firing", "<id@vitra-watchdog>",
                0, 0, 0, OptionalLong.empty(), OptionalLong.empty(), Optional.empty());
        Rows.Database d = new Rows.Database(1, dev.vitra.watchdog.note.LogId.parse(SAMPLE_LOG), "http://executor.example",
                Rows.DatabaseStatus.AUDITING, 0, true, 0, OptionalLong.empty());
        return new AlertContent(a, f, d, Optional.empty()).variables();
    }

    /** A valid log id for samples (an Ed25519 public key). */
    private static final String SAMPLE_LOG = dev.vitra.watchdog.note.LogId.signerFor(new byte[32]).publicKey().toHex();

    /** The webhook body: versioned JSON; the proof embedded as the JSON document it is. */
    public byte[] webhookPayload() {
        Map<String, JsonValue> m = new LinkedHashMap<>();
        m.put("version", new JsonValue.Str(PAYLOAD_VERSION));
        m.put("id", new JsonValue.Str(alert.messageId()));
        m.put("event", new JsonValue.Str(alert.event()));
        m.put("kind", new JsonValue.Str(finding.kind()));
        m.put("code", new JsonValue.Str(finding.code()));
        m.put("monitor", new JsonValue.Str(alert.monitor()));
        m.put("database", new JsonValue.Str(database.indexLog().hex()));
        m.put("executor", new JsonValue.Str(database.executorUrl()));
        m.put("summary", new JsonValue.Str(finding.summary()));
        if (!culprit().isEmpty()) {
            m.put("culprit", new JsonValue.Str(culprit()));
        }
        finding.log().ifPresent(l -> m.put("log", new JsonValue.Str(l.hex())));
        put(m, "position", finding.atPosition());
        put(m, "entry", finding.entryPosition());
        put(m, "seq", finding.opSeq());
        m.put("firstSeen", new JsonValue.Str(Instant.ofEpochMilli(finding.firstSeenAt()).toString()));
        m.put("lastSeen", new JsonValue.Str(Instant.ofEpochMilli(finding.lastSeenAt()).toString()));
        finding.resolvedAt().ifPresent(r -> m.put("resolvedAt", new JsonValue.Str(Instant.ofEpochMilli(r).toString())));
        if (alert.event().equals(AlertPlanner.REPEAT)) {
            put(m, "repeat", OptionalLong.of(repeatNumber()));
        }
        m.put("facts", parsedOr(finding.factsJson().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        if (finding.proofId().isPresent()) {
            Map<String, JsonValue> p = new LinkedHashMap<>();
            p.put("id", new JsonValue.Str(finding.proofId().get()));
            p.put("verifyCommand", new JsonValue.Str("vitra-watchdog verify-proof " + proofFileName()));
            proof.ifPresent(doc -> p.put("document", parsedOr(doc)));
            m.put("proof", new JsonValue.Obj(p));
        }
        return Json.write(new JsonValue.Obj(m)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Stored JSON (facts, a proof) embedded as JSON; as a string if it ever failed to parse (it was written as JSON). */
    private static JsonValue parsedOr(byte[] json) {
        try {
            return Json.parse(new String(json, java.nio.charset.StandardCharsets.UTF_8));
        } catch (dev.vitra.watchdog.protocol.MalformedJsonException e) {
            return new JsonValue.Str(new String(json, java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    private static void put(Map<String, JsonValue> m, String name, OptionalLong v) {
        if (v.isPresent()) {
            m.put(name, new JsonValue.Num(Long.toString(v.getAsLong()), v.getAsLong()));
        }
    }
}
