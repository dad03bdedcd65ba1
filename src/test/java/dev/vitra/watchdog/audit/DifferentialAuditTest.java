package dev.vitra.watchdog.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vitra.watchdog.audit.naive.NaiveAuditor;
import dev.vitra.watchdog.contract.ContractEngine;
import dev.vitra.watchdog.contract.ContractLimits;
import dev.vitra.watchdog.executor.Executor;
import dev.vitra.watchdog.executor.StaticLogServer;
import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.note.SignerKey;
import dev.vitra.watchdog.store.Rows;
import dev.vitra.watchdog.testing.Mutator;
import dev.vitra.watchdog.tilewriter.LogDirectory;
import dev.vitra.watchdog.tilewriter.TileWriter;
import dev.vitra.watchdog.util.JsonText;
import dev.vitra.watchdog.util.KeyFiles;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit engine against an independent, deliberately naive implementation of the same rules
 * ({@link NaiveAuditor}, written from PROTOCOL.md and the decision rules alone, sharing no code but the contract
 * runtime): an honest database from the reference executor, then random mutations of its logs — byte flips,
 * dropped, doubled and swapped entries, acks with other seqs, counts, outcomes and origins, changes that are equal
 * as JSON values or not, forged ops, cut logs, broken genesis — each re-signed, served over HTTP and audited by
 * both. Code, position, entry and verified prefix must agree. More scenarios: {@code -Dvitra.differential.scenarios=N}.
 */
class DifferentialAuditTest {
    private static final ContractEngine ENGINE = ContractEngine.create(ContractLimits.defaults());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path base;
    private static List<byte[]> index;
    private static LogId indexId;
    private static SignerKey indexKey;
    private static final Map<LogId, List<byte[]>> OPLOGS = new LinkedHashMap<>();
    private static final Map<LogId, SignerKey> OPLOG_KEYS = new LinkedHashMap<>();
    private static int genesisEnd;

    @BeforeAll
    static void honestDatabase() throws Exception {
        base = Files.createTempDirectory("differential");
        String source = AuditFixture.contractSource("governed.js");
        Executor ex = Executor.create(base.resolve("db"), source, 2, ENGINE,
                Clock.fixed(Instant.ofEpochMilli(1_700_000_000_000L), ZoneOffset.UTC));
        LogId a = ex.participants().get(0);
        LogId b = ex.participants().get(1);
        ex.call(a, "claimAdmin", "{}");
        ex.call(a, "put", "{\"path\":\"/k/1\",\"value\":{\"n\":1,\"f\":2.5,\"s\":\"x\",\"a\":[1,2]}}");
        ex.call(b, "put", "{\"path\":\"/k/2\",\"value\":7}");
        ex.call(b, "fail", "{}");
        ex.call(a, "multi", "{\"paths\":[\"/m/b\",\"/m/a\",\"/m/c/d\"]}");
        ex.call(b, "list", "{\"prefix\":\"/m\"}");
        ex.call(a, "del", "{\"path\":\"/k/2\"}");
        ex.call(a, "removeParticipant", "{\"pubkey\":\"" + b.hex() + "\"}");
        ex.processPending();
        ex.call(b, "put", "{\"path\":\"/k/3\",\"value\":3}"); // read-only now: not appended
        ex.call(a, "addParticipant", "{\"pubkey\":\"" + b.hex() + "\"}");
        ex.processPending();
        ex.call(b, "put", "{\"path\":\"/k/3\",\"value\":\"three\"}");
        ex.call(a, "upgrade", "{\"code\":" + JsonText.quote(source.replace("version = 1", "version = 2")) + "}");
        ex.call(a, "put", "{\"path\":\"/k/4\",\"value\":null}");
        ex.call(b, "put", "{\"path\":\"/k/5\",\"value\":[true,false]}");
        ex.processPending();
        indexId = ex.indexLogId();
        Path data = base.resolve("db");
        index = new LogDirectory(data.resolve("logs").resolve(indexId.hex())).readEntries(0, ex.indexSize());
        indexKey = KeyFiles.loadOrCreateLogKey(data.resolve("keys/index.key"));
        for (int i = 0; i < 2; i++) {
            LogId id = ex.participants().get(i);
            SignerKey key = KeyFiles.loadOrCreateLogKey(data.resolve("keys/participant-" + (i + 1) + ".key"));
            LogDirectory d = new LogDirectory(data.resolve("logs").resolve(id.hex()));
            OPLOG_KEYS.put(id, key);
            OPLOGS.put(id, d.readEntries(0, TileWriter.open(d, key, id.origin()).published().size()));
        }
        genesisEnd = 5; // header, source, two inputs, seal
        NaiveAuditor.Verdict honest = NaiveAuditor.audit(index, byHex(OPLOGS), ENGINE);
        assertThat(honest.code()).isEqualTo("OK");
    }

    @AfterAll
    static void close() {
        ENGINE.close();
    }

    /** A scenario: the logs as mutated, and what was done to them. */
    private record Scenario(List<byte[]> index, Map<LogId, List<byte[]>> oplogs, List<String> mutations) {
    }

    @Test
    void theEngineAndTheNaiveAuditorAgreeOnMutatedLogs(@TempDir Path dir) throws Exception {
        int scenarios = Integer.getInteger("vitra.differential.scenarios", 40);
        long seed = Long.getLong("vitra.differential.seed", 20261202L);
        Random random = new Random(seed);
        List<String> disagreements = new ArrayList<>();
        Map<String, Integer> codes = new java.util.TreeMap<>();
        Path served = dir.resolve("served");
        try (StaticLogServer server = StaticLogServer.start(served, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            for (int s = 0; s < scenarios; s++) {
                Scenario scenario = mutate(random);
                Path root = served.resolve("s" + s);
                write(root.resolve("logs").resolve(indexId.hex()), indexKey, indexId, scenario.index());
                for (var e : scenario.oplogs().entrySet()) {
                    write(root.resolve("logs").resolve(e.getKey().hex()), OPLOG_KEYS.get(e.getKey()), e.getKey(), e.getValue());
                }
                NaiveAuditor.Verdict expected = NaiveAuditor.audit(scenario.index(), byHex(scenario.oplogs()), ENGINE);
                PassReport report = AuditFixture.pass(dir.resolve("store-" + s + ".mv.db"), ENGINE,
                        AuditFixture.fastSettings(), Clock.systemUTC(), new AuditTarget(indexId, server.baseUrl() + "/s" + s));
                NaiveAuditor.Verdict actual = verdictOf(report, scenario.index().size());
                codes.merge(expected.code(), 1, Integer::sum);
                if (!actual.equals(expected)) {
                    disagreements.add("scenario " + s + " " + scenario.mutations() + ": naive " + expected + ", engine " + actual
                            + " " + report.newFindings().stream().map(f -> f.code() + ": " + f.summary()).toList());
                }
            }
        }
        System.out.println("differential: " + scenarios + " scenarios (seed " + seed + "), naive verdicts " + codes);
        assertThat(disagreements).isEmpty();
    }

    /** The engine's report, in the naive auditor's terms. */
    private static NaiveAuditor.Verdict verdictOf(PassReport r, long indexLength) {
        List<Rows.Finding> findings = new ArrayList<>(r.newFindings());
        for (Rows.Finding f : findings) {
            if (f.kind().equals("fraud")) {
                return new NaiveAuditor.Verdict(f.code(), f.atPosition().orElse(-1), f.entryPosition().orElse(-1),
                        r.verifiedPosition());
            }
        }
        for (Rows.Finding f : findings) {
            switch (f.code()) {
                case "UnsupportedProtocol" -> {
                    return new NaiveAuditor.Verdict("UNSUPPORTED", 0, -1, r.verifiedPosition());
                }
                case "ReplayAborted" -> {
                    return new NaiveAuditor.Verdict("ABORTED", f.atPosition().orElse(-1), -1, r.verifiedPosition());
                }
                case "OpNotYetPublished", "TransactionNotYetComplete" -> {
                    return new NaiveAuditor.Verdict("PENDING", f.atPosition().orElse(-1), -1, r.verifiedPosition());
                }
                default -> {
                }
            }
        }
        if (r.verdict() == Verdict.COULD_NOT_VERIFY) {
            return new NaiveAuditor.Verdict("COULD_NOT_VERIFY " + findings.stream().map(Rows.Finding::code).toList(), -1, -1,
                    r.verifiedPosition());
        }
        return new NaiveAuditor.Verdict("OK", -1, -1, r.verifiedPosition() == indexLength ? indexLength : r.verifiedPosition());
    }

    private static Map<String, List<byte[]>> byHex(Map<LogId, List<byte[]>> oplogs) {
        Map<String, List<byte[]>> out = new LinkedHashMap<>();
        oplogs.forEach((k, v) -> out.put(k.hex(), v));
        return out;
    }

    private static void write(Path dir, SignerKey key, LogId id, List<byte[]> entries) throws Exception {
        TileWriter writer = TileWriter.open(new LogDirectory(dir), key, id.origin());
        writer.appendAll(entries);
        writer.publish();
    }

    // ---- mutations ----

    private static Scenario mutate(Random random) throws Exception {
        List<byte[]> idx = new ArrayList<>(index);
        Map<LogId, List<byte[]>> ops = new LinkedHashMap<>();
        OPLOGS.forEach((k, v) -> ops.put(k, new ArrayList<>(v)));
        List<String> done = new ArrayList<>();
        int count = 1 + (random.nextInt(4) == 0 ? 1 : 0);
        for (int i = 0; i < count; i++) {
            try {
                done.add(mutateOnce(random, idx, ops));
            } catch (com.fasterxml.jackson.core.JacksonException e) {
                done.add("skipped (an earlier mutation broke the entry)");
            }
        }
        return new Scenario(idx, ops, done);
    }

    private static String mutateOnce(Random r, List<byte[]> idx, Map<LogId, List<byte[]>> ops) throws Exception {
        int kind = r.nextInt(22);
        int pos = pick(r, idx);
        switch (kind) {
            case 0 -> {
                idx.set(pos, Mutator.mutate(idx.get(pos), r.nextLong(), 1 + r.nextInt(3)));
                return "bytes@" + pos;
            }
            case 1 -> {
                idx.remove(pos);
                return "drop@" + pos;
            }
            case 2 -> {
                idx.add(pos, idx.get(pos).clone());
                return "double@" + pos;
            }
            case 3 -> {
                if (pos + 1 < idx.size()) {
                    byte[] t = idx.get(pos);
                    idx.set(pos, idx.get(pos + 1));
                    idx.set(pos + 1, t);
                }
                return "swap@" + pos;
            }
            case 4 -> {
                int cut = genesisEnd + r.nextInt(idx.size() - genesisEnd);
                idx.subList(cut, idx.size()).clear();
                return "cut@" + cut;
            }
            case 5, 6, 7, 8, 9, 10 -> {
                int ack = pickAck(r, idx);
                if (ack < 0) {
                    return "none";
                }
                ObjectNode entry = (ObjectNode) JSON.readTree(idx.get(ack));
                ObjectNode value = (ObjectNode) entry.get("value");
                String path = entry.get("path").asText();
                String what;
                switch (kind) {
                    case 5 -> {
                        long seq = value.get("seq").asLong() + (r.nextBoolean() ? 1 : -1);
                        value.put("seq", seq);
                        entry.put("path", path.substring(0, path.lastIndexOf('/') + 1) + String.format("%015d", Math.max(seq, 0)));
                        what = "ack-seq";
                    }
                    case 6 -> {
                        value.put("seq", value.get("seq").asLong() + 1);
                        what = "ack-seq-value-only";
                    }
                    case 7 -> {
                        value.put("numChanges", value.get("numChanges").asLong() + (r.nextBoolean() ? 1 : -1));
                        what = "ack-numChanges";
                    }
                    case 8 -> {
                        boolean success = !value.get("success").asBoolean();
                        value.put("success", success);
                        if (!success) {
                            // Drop the window too, so only the outcome differs.
                            long k = value.get("numChanges").asLong();
                            value.put("numChanges", 0);
                            for (long j = 0; j < k && ack + 1 < idx.size(); j++) {
                                idx.remove(ack + 1);
                            }
                        } else {
                            value.remove("error");
                        }
                        what = "ack-success";
                    }
                    case 9 -> {
                        List<LogId> ids = new ArrayList<>(OPLOGS.keySet());
                        LogId other = ids.get(r.nextInt(ids.size()));
                        value.put("origin", other.hex());
                        entry.put("path", "/.sys/acks/" + other.hex() + path.substring(path.lastIndexOf('/')));
                        what = "ack-origin";
                    }
                    default -> {
                        switch (r.nextInt(5)) {
                            case 0 -> value.put("extra", 1);
                            case 1 -> value.put("ts", 1.5);
                            case 2 -> value.set("metadata", JSON.readTree("{\"m\":1}"));
                            case 3 -> value.put("error", "no");
                            default -> value.put("seq", 1e20);
                        }
                        what = "ack-shape";
                    }
                }
                idx.set(ack, JSON.writeValueAsBytes(entry));
                return what + "@" + ack;
            }
            case 11, 12, 13, 14 -> {
                int change = pickChange(r, idx);
                if (change < 0) {
                    return "none";
                }
                ObjectNode entry = (ObjectNode) JSON.readTree(idx.get(change));
                String what;
                switch (kind) {
                    case 11 -> {
                        JsonNode v = entry.get("value");
                        String text = JSON.writeValueAsString(v);
                        String changed = text.replaceFirst("([0-9]+)(?![0-9.])", r.nextBoolean() ? "$1.0" : "\"$1\"");
                        entry.set("value", JSON.readTree(changed));
                        what = "value-number";
                    }
                    case 12 -> {
                        JsonNode v = entry.get("value");
                        if (v instanceof ObjectNode o && o.size() > 1) {
                            ObjectNode reversed = JSON.createObjectNode();
                            List<String> names = new ArrayList<>();
                            o.fieldNames().forEachRemaining(names::add);
                            java.util.Collections.reverse(names);
                            names.forEach(n -> reversed.set(n, o.get(n)));
                            entry.set("value", reversed);
                        }
                        // The entry's own members in another order too.
                        ObjectNode reordered = JSON.createObjectNode();
                        List<String> names = new ArrayList<>();
                        Iterator<String> it = entry.fieldNames();
                        it.forEachRemaining(names::add);
                        java.util.Collections.reverse(names);
                        names.forEach(n -> reordered.set(n, entry.get(n)));
                        idx.set(change, JSON.writeValueAsBytes(reordered));
                        return "reorder@" + change;
                    }
                    case 13 -> {
                        entry.put("path", "/" + entry.get("path").asText() + (r.nextBoolean() ? "/" : ""));
                        what = "path-unnormalised";
                    }
                    default -> {
                        if (entry.get("type").asText().equals("put")) {
                            entry.put("type", "del");
                            entry.remove("value");
                        } else {
                            entry.put("type", "put");
                            entry.put("value", 0);
                        }
                        what = "put-del";
                    }
                }
                idx.set(change, JSON.writeValueAsBytes(entry));
                return what + "@" + change;
            }
            case 15 -> {
                int at = pickAck(r, idx);
                if (at < 0) {
                    return "none";
                }
                idx.add(at, "{\"type\":\"put\",\"path\":\"/injected\",\"value\":1}".getBytes(StandardCharsets.UTF_8));
                return "injected@" + at;
            }
            case 16 -> {
                List<LogId> ids = new ArrayList<>(ops.keySet());
                LogId id = ids.get(r.nextInt(ids.size()));
                List<byte[]> log = ops.get(id);
                if (log.isEmpty()) {
                    return "none";
                }
                int seq = r.nextInt(log.size());
                String[] forged = {"{\"op\":\"PUT\",\"path\":\"/forged\",\"value\":1}", "{\"op\":\"FAIL\"}", "[1]", "not json",
                    "{\"op\":\"PUT\",\"path\":\"/k/1\",\"value\":{\"n\":1,\"f\":2.5,\"s\":\"x\",\"a\":[1,2]}}"};
                byte[] op = forged[r.nextInt(forged.length)].getBytes(StandardCharsets.UTF_8);
                if (r.nextInt(4) == 0) {
                    op = Mutator.mutate(log.get(seq), r.nextLong(), 1);
                }
                log.set(seq, op);
                return "forged-op " + id.hex().substring(0, 6) + "/" + seq;
            }
            case 17 -> {
                List<LogId> ids = new ArrayList<>(ops.keySet());
                LogId id = ids.get(r.nextInt(ids.size()));
                List<byte[]> log = ops.get(id);
                int keep = log.isEmpty() ? 0 : r.nextInt(log.size());
                log.subList(keep, log.size()).clear();
                return "cut-oplog " + id.hex().substring(0, 6) + "@" + keep;
            }
            case 18 -> {
                int g = r.nextInt(genesisEnd);
                switch (r.nextInt(4)) {
                    case 0 -> idx.remove(g);
                    case 1 -> idx.add(g, idx.get(g).clone());
                    case 2 -> idx.set(0, "{\"type\":\"header\",\"protocol\":\"vitra/2\"}".getBytes(StandardCharsets.UTF_8));
                    default -> idx.set(g, Mutator.mutate(idx.get(g), r.nextLong(), 1));
                }
                return "genesis@" + g;
            }
            case 19 -> {
                int ack = pickAck(r, idx);
                if (ack < 0) {
                    return "none";
                }
                ObjectNode entry = (ObjectNode) JSON.readTree(idx.get(ack));
                String path = entry.get("path").asText();
                entry.put("path", path.substring(0, path.length() - 1));
                idx.set(ack, JSON.writeValueAsBytes(entry));
                return "ack-path-14-digits@" + ack;
            }
            case 20 -> {
                int change = pickChange(r, idx);
                if (change < 0) {
                    return "none";
                }
                idx.set(change, ("{\"type\":\"del\",\"path\":\"/.sys/acks/" + indexId.hex() + "/000000000000000\"}")
                        .getBytes(StandardCharsets.UTF_8));
                return "ack-path-in-window@" + change;
            }
            default -> {
                // A duplicate member name in an entry.
                int change = pickChange(r, idx);
                if (change < 0) {
                    return "none";
                }
                String text = new String(idx.get(change), StandardCharsets.UTF_8);
                idx.set(change, text.replaceFirst("\\{\"type\":\"(put|del)\",", "{\"type\":\"$1\",\"type\":\"$1\",")
                        .getBytes(StandardCharsets.UTF_8));
                return "duplicate-member@" + change;
            }
        }
    }

    private static int pick(Random r, List<byte[]> idx) {
        return genesisEnd + r.nextInt(Math.max(1, idx.size() - genesisEnd));
    }

    private static int pickAck(Random r, List<byte[]> idx) {
        List<Integer> acks = new ArrayList<>();
        for (int i = genesisEnd; i < idx.size(); i++) {
            if (new String(idx.get(i), StandardCharsets.UTF_8).contains("\"path\":\"/.sys/acks/")) {
                acks.add(i);
            }
        }
        return acks.isEmpty() ? -1 : acks.get(r.nextInt(acks.size()));
    }

    private static int pickChange(Random r, List<byte[]> idx) {
        List<Integer> changes = new ArrayList<>();
        for (int i = genesisEnd; i < idx.size(); i++) {
            if (!new String(idx.get(i), StandardCharsets.UTF_8).contains("\"path\":\"/.sys/acks/")) {
                changes.add(i);
            }
        }
        return changes.isEmpty() ? -1 : changes.get(r.nextInt(changes.size()));
    }
}
