package dev.vitra.watchdog.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vitra.watchdog.protocol.Json;
import dev.vitra.watchdog.protocol.JsonValue;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A proof that anyone may have altered must not verify. Over the golden proofs: every single byte flipped, every
 * member dropped (and the rest written canonically again, so the canonical check alone cannot be what refuses it),
 * members reordered, another log's checkpoint swapped in, a fork of two checkpoints that agree. The one part of a
 * proof that only a replay can check is the contract's claimed outcome (claim.outcome.changes): there a changed byte
 * may still verify offline, and the replay refutes it (ContractBreachTest).
 */
class ProofTamperingTest {
    static final List<String> GOLDEN = List.of("change-mismatch", "processed-twice", "window-swallows-ack", "index-fork");

    static byte[] golden(String name) throws Exception {
        try (InputStream in = ProofTamperingTest.class.getResourceAsStream("/proofs/" + name + ".json")) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"change-mismatch", "processed-twice", "window-swallows-ack", "index-fork"})
    void everyGoldenProofVerifiesAndItsIdIsTheSha256OfItsBytes(String name) throws Exception {
        byte[] doc = golden(name);
        ProofVerifier.Verified v = ProofVerifier.verify(doc);
        assertThat(ProofCodec.write(v.proof())).isEqualTo(doc);
        assertThat(ProofCodec.id(doc)).matches("[0-9a-f]{64}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"change-mismatch", "processed-twice", "window-swallows-ack", "index-fork"})
    void flippingAnyBitOfAnyByteOutsideTheClaimedOutcomeIsRefused(String name) throws Exception {
        byte[] doc = golden(name);
        int[] outcome = outcomeSpan(doc);
        int accepted = 0;
        for (int i = 0; i < doc.length; i++) {
            for (int bit : new int[] {0x01, 0x04, 0x20}) {
                byte[] t = doc.clone();
                t[i] ^= (byte) bit;
                if (verifies(t)) {
                    assertThat(i).as("byte %d (^0x%02x) of %s verifies after flipping", i, bit, name)
                            .isBetween(outcome[0], outcome[1]);
                    accepted++;
                }
            }
        }
        if (outcome[0] < 0) {
            assertThat(accepted).isZero();
        }
    }

    @Property(tries = 300)
    void aRandomChangeOfOneByteIsRefusedOutsideTheClaimedOutcome(@ForAll("goldenNames") String name,
            @ForAll @IntRange(min = 0, max = 1 << 20) int where, @ForAll @IntRange(min = 1, max = 255) int mask)
            throws Exception {
        byte[] doc = golden(name);
        int i = where % doc.length;
        byte[] t = doc.clone();
        t[i] ^= (byte) mask;
        int[] outcome = outcomeSpan(doc);
        if (i < outcome[0] || i > outcome[1]) {
            assertThat(verifies(t)).as("byte %d ^ %d of %s", i, mask, name).isFalse();
        }
    }

    @Provide
    Arbitrary<String> goldenNames() {
        return Arbitraries.of(GOLDEN);
    }

    @ParameterizedTest
    @ValueSource(strings = {"change-mismatch", "processed-twice", "window-swallows-ack", "index-fork"})
    void droppingAnyMemberIsRefusedEvenWhenTheRestIsCanonical(String name) throws Exception {
        byte[] doc = golden(name);
        JsonValue root = Json.parse(doc);
        List<List<Object>> paths = new ArrayList<>();
        collectMembers(root, new ArrayList<>(), paths);
        assertThat(paths).hasSizeGreaterThanOrEqualTo(8);
        for (List<Object> path : paths) {
            byte[] t = CanonicalJson.write(without(root, path, 0));
            boolean replayMember = path.size() == 2 && path.get(0).equals("replayCheckpoints");
            boolean changeOfOutcome = path.contains("outcome");
            if (!replayMember && !changeOfOutcome) {
                assertThat(verifies(t)).as("%s without %s", name, path).isFalse();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"change-mismatch", "processed-twice", "window-swallows-ack", "index-fork"})
    void droppingAnEntryOrAProofHashIsRefused(String name) throws Exception {
        JsonValue.Obj root = (JsonValue.Obj) Json.parse(golden(name));
        if (root.get("entries") instanceof JsonValue.Arr entries) {
            for (int i = 0; i < entries.elements().size(); i++) {
                List<JsonValue> fewer = new ArrayList<>(entries.elements());
                fewer.remove(i);
                assertThat(verifies(CanonicalJson.write(with(root, "entries", new JsonValue.Arr(fewer))))).isFalse();
                // and one hash less in that entry's inclusion proof
                JsonValue.Obj e = (JsonValue.Obj) entries.elements().get(i);
                JsonValue.Arr proof = (JsonValue.Arr) e.get("proof");
                if (!proof.elements().isEmpty()) {
                    List<JsonValue> changed = new ArrayList<>(entries.elements());
                    changed.set(i, with(e, "proof", new JsonValue.Arr(proof.elements().subList(1, proof.elements().size()))));
                    assertThat(verifies(CanonicalJson.write(with(root, "entries", new JsonValue.Arr(changed))))).isFalse();
                }
            }
        }
    }

    @Test
    void membersInAnotherOrderAreNotTheCanonicalFormAndAreRefused() throws Exception {
        JsonValue.Obj root = (JsonValue.Obj) Json.parse(golden("change-mismatch"));
        Map<String, JsonValue> reversed = new LinkedHashMap<>();
        List<String> names = new ArrayList<>(root.members().keySet());
        java.util.Collections.reverse(names);
        names.forEach(n -> reversed.put(n, root.get(n)));
        byte[] t = Json.write(new JsonValue.Obj(reversed)).getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> ProofVerifier.verify(t)).isInstanceOf(InvalidProofException.class)
                .satisfies(e -> assertThat(((InvalidProofException) e).check()).isEqualTo("canonical"));
        // Whitespace, a trailing newline, an escaped letter: the same JSON, not the same proof.
        byte[] doc = golden("change-mismatch");
        byte[] newline = java.util.Arrays.copyOf(doc, doc.length + 1);
        newline[doc.length] = '\n';
        assertThat(verifies(newline)).isFalse();
        String escaped = new String(doc, StandardCharsets.UTF_8).replace("\"format\"", "\"\\u0066ormat\"");
        assertThat(verifies(escaped.getBytes(StandardCharsets.UTF_8))).isFalse();
    }

    @Test
    void anotherLogsCheckpointInPlaceOfTheIndexCheckpointIsRefusedAsUnsigned() throws Exception {
        JsonValue.Obj root = (JsonValue.Obj) Json.parse(golden("change-mismatch"));
        JsonValue.Obj replay = (JsonValue.Obj) root.get("replayCheckpoints");
        JsonValue oplogNote = replay.members().values().iterator().next();
        byte[] t = CanonicalJson.write(with(root, "checkpoint", oplogNote));
        assertThatThrownBy(() -> ProofVerifier.verify(t)).isInstanceOf(InvalidProofException.class)
                .hasMessageContaining("checkpoint");
    }

    @Test
    void aForkOfTwoCheckpointsThatAgreeProvesNothing() throws Exception {
        JsonValue.Obj root = (JsonValue.Obj) Json.parse(golden("index-fork"));
        byte[] same = CanonicalJson.write(with(root, "smaller", root.get("larger")));
        assertThat(verifies(same)).isFalse();
        byte[] swapped = CanonicalJson.write(with(with(root, "smaller", root.get("larger")), "larger", root.get("smaller")));
        assertThat(verifies(swapped)).isFalse();
    }

    @Test
    void aClaimedOutcomeThatIsWhatWasPublishedProvesNothing() throws Exception {
        JsonValue.Obj root = (JsonValue.Obj) Json.parse(golden("change-mismatch"));
        JsonValue.Obj claim = (JsonValue.Obj) root.get("claim");
        JsonValue.Obj outcome = (JsonValue.Obj) claim.get("outcome");
        String published = "{\"type\":\"put\",\"path\":\"/wrong\",\"value\":{\"x\":[1,2]}}";
        JsonValue.Obj agreeing = with(outcome, "changes", new JsonValue.Arr(List.of(new JsonValue.Str(published))));
        byte[] t = CanonicalJson.write(with(root, "claim", with(claim, "outcome", agreeing)));
        assertThatThrownBy(() -> ProofVerifier.verify(t)).isInstanceOf(InvalidProofException.class)
                .hasMessageContaining("proves nothing");
    }

    @Test
    void aClaimedOutcomeNoContractCouldProduceIsRefusedOffline() throws Exception {
        JsonValue.Obj root = (JsonValue.Obj) Json.parse(golden("change-mismatch"));
        JsonValue.Obj claim = (JsonValue.Obj) root.get("claim");
        JsonValue.Obj outcome = (JsonValue.Obj) claim.get("outcome");
        for (String change : List.of("{\"type\":\"put\",\"path\":\"/.sys/acks/x\",\"value\":1}",
                "{\"type\":\"put\",\"path\":\"/.sys/acks/genesis\",\"value\":null}",
                "{\"type\":\"del\",\"path\":\"/.sys/acks/x\"}", "{\"type\":\"put\",\"path\":\"//.sys/acks/x\",\"value\":1}",
                "{\"type\":\"put\",\"path\":\"/.sys/foo\",\"value\":1}", "{\"type\":\"put\",\"path\":\"/\",\"value\":1}",
                "{\"type\":\"put\",\"path\":\"/a/\",\"value\":1}", "{\"type\":\"del\",\"path\":\"/.sys/contract/source\"}")) {
            JsonValue.Obj bad = with(outcome, "changes", new JsonValue.Arr(List.of(new JsonValue.Str(change))));
            byte[] t = CanonicalJson.write(with(root, "claim", with(claim, "outcome", bad)));
            assertThatThrownBy(() -> ProofVerifier.verify(t)).as(change).isInstanceOf(InvalidProofException.class)
                    .hasMessageContaining("not a change a contract can produce");
        }
    }

    @Test
    void aNoteWithAnyOtherSignatureLineThanTheLogsOwnIsRefusedSoAProofsBytesCannotChange() throws Exception {
        JsonValue.Obj root = (JsonValue.Obj) Json.parse(golden("index-fork"));
        String note = ((JsonValue.Str) root.get("smaller")).value();
        int split = note.lastIndexOf("\n\n") + 2;
        String ownLine = note.substring(split);
        String witness = "\u2014 witness.example " + java.util.Base64.getEncoder().encodeToString(new byte[68]) + "\n";
        for (String variant : List.of(note + witness, note.substring(0, split) + witness + ownLine, note + ownLine)) {
            byte[] t = CanonicalJson.write(with(root, "smaller", new JsonValue.Str(variant)));
            assertThatThrownBy(() -> ProofVerifier.verify(t)).isInstanceOf(InvalidProofException.class)
                    .hasMessageContaining("exactly one signature line");
        }
    }

    @Test
    void anAckClaimedInsideGenesisIsRefusedOffline() throws Exception {
        JsonValue.Obj root = (JsonValue.Obj) Json.parse(golden("processed-twice"));
        for (long at = 0; at < 4; at++) {
            JsonValue.Obj moved = with(with(with(root, "stage", new JsonValue.Str("ack-due")), "at",
                    new JsonValue.Num(Long.toString(at), at)), "code", new JsonValue.Str("InvalidSchemaError"));
            moved = with(moved, "claim", new JsonValue.Obj(Map.of()));
            byte[] t = CanonicalJson.write(moved);
            assertThatThrownBy(() -> ProofVerifier.verify(t)).isInstanceOf(InvalidProofException.class)
                    .hasMessageContaining("inside genesis");
        }
    }

    @Test
    void aParticipantsOplogCannotBeProvenABrokenIndexBecauseItHasNoHeader() throws Exception {
        // An oplog, signed by its own key: entry 0 is an op. Framing it as an index whose genesis breaks at entry 1
        // (or anywhere) must fail: only the vitra/1 header at entry 0 makes a log an index.
        dev.vitra.watchdog.note.SignerKey key = dev.vitra.watchdog.note.LogId.signerFor(new byte[32]);
        dev.vitra.watchdog.note.LogId oplog = new dev.vitra.watchdog.note.LogId(key.publicKey());
        List<byte[]> ops = List.of("{\"op\":\"PUT\",\"path\":\"/a\",\"value\":1}".getBytes(StandardCharsets.UTF_8),
                "{\"op\":\"PUT\",\"path\":\"/b\",\"value\":2}".getBytes(StandardCharsets.UTF_8));
        dev.vitra.watchdog.merkle.InMemoryTree tree = dev.vitra.watchdog.merkle.InMemoryTree.ofEntries(ops);
        String note = dev.vitra.watchdog.note.SignedCheckpoint.sign(new dev.vitra.watchdog.note.Checkpoint(oplog.origin(), 2,
                tree.at(2).root()), key).rawText();
        List<FraudProof.ProvenEntry> entries = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            entries.add(new FraudProof.ProvenEntry(i, ops.get(i), tree.at(2).inclusionProof(i).path()));
        }
        FraudProof.Breach framed = new FraudProof.Breach(FraudCode.InvalidSchemaError, oplog, note, 1, entries,
                new FraudProof.Claim.Genesis(), Map.of());
        assertThatThrownBy(() -> ProofVerifier.verify(ProofCodec.write(framed))).isInstanceOf(InvalidProofException.class)
                .hasMessageContaining("does not claim to be a Vitra index");
        FraudProof.Breach atZero = new FraudProof.Breach(FraudCode.UnexpectedPathError, oplog, note, 0, entries.subList(0, 1),
                new FraudProof.Claim.Genesis(), Map.of());
        assertThat(verifies(ProofCodec.write(atZero))).isFalse();
    }

    @Test
    void anEqualSizeForkHasOneDocumentTheNoteWithTheLowerRootFirst() throws Exception {
        JsonValue.Obj root = (JsonValue.Obj) Json.parse(golden("index-fork"));
        FraudProof.LogFork fork = (FraudProof.LogFork) ProofCodec.parse(golden("index-fork"));
        JsonValue swapped = with(with(with(root, "smaller", root.get("larger")), "larger", root.get("smaller")),
                "prefixRoot", new JsonValue.Str(ProofVerifier.open(fork.log(), fork.smaller(), "smaller").checkpoint().root()
                        .toBase64()));
        assertThatThrownBy(() -> ProofVerifier.verify(CanonicalJson.write(swapped))).isInstanceOf(InvalidProofException.class)
                .hasMessageContaining("lower root");
    }

    @Test
    void aReplayCheckpointOfTheIndexItselfIsRefused() throws Exception {
        JsonValue.Obj root = (JsonValue.Obj) Json.parse(golden("processed-twice"));
        Map<String, JsonValue> replay = new LinkedHashMap<>(((JsonValue.Obj) root.get("replayCheckpoints")).members());
        replay.put(((JsonValue.Str) root.get("index")).value(), root.get("checkpoint"));
        byte[] t = CanonicalJson.write(with(root, "replayCheckpoints", new JsonValue.Obj(replay)));
        assertThatThrownBy(() -> ProofVerifier.verify(t)).isInstanceOf(InvalidProofException.class)
                .hasMessageContaining("index log itself");
    }

    @Test
    void aClaimedChangeSpelledOtherwiseThanJsonStringifyIsRefusedOffline() throws Exception {
        JsonValue.Obj root = (JsonValue.Obj) Json.parse(golden("change-mismatch"));
        JsonValue.Obj claim = (JsonValue.Obj) root.get("claim");
        JsonValue.Obj outcome = (JsonValue.Obj) claim.get("outcome");
        for (String change : List.of("{\"type\":\"put\", \"path\":\"/b\",\"value\":1}",
                "{\"path\":\"/b\",\"type\":\"put\",\"value\":1}", "{\"type\":\"put\",\"path\":\"/b\",\"value\":1.0}",
                "{\"type\":\"put\",\"path\":\"/b\",\"value\":1e2}", "{\"type\":\"put\",\"path\":\"/\\u0062\",\"value\":1}",
                "{\"type\":\"put\",\"path\":\"/.sys/contract/source\",\"value\":5}",
                "{\"type\":\"put\",\"path\":\"/.sys/inputs/" + "ab".repeat(32) + "\",\"value\":42}")) {
            JsonValue.Obj bad = with(outcome, "changes", new JsonValue.Arr(List.of(new JsonValue.Str(change))));
            byte[] t = CanonicalJson.write(with(root, "claim", with(claim, "outcome", bad)));
            assertThat(verifies(t)).as(change).isFalse();
        }
        // JSON.stringify's own spellings pass.
        for (String change : List.of("{\"type\":\"put\",\"path\":\"/b\",\"value\":100}",
                "{\"type\":\"put\",\"path\":\"/b\",\"value\":1e+21}", "{\"type\":\"put\",\"path\":\"/b\",\"value\":1.5e-7}",
                "{\"type\":\"put\",\"path\":\"/b\",\"value\":0.000001}", "{\"type\":\"del\",\"path\":\"/b\"}")) {
            JsonValue.Obj fine = with(outcome, "changes", new JsonValue.Arr(List.of(new JsonValue.Str(change))));
            byte[] t = CanonicalJson.write(with(root, "claim", with(claim, "outcome", fine)));
            assertThat(verifies(t)).as(change).isTrue();
        }
    }

    // ---- helpers ----

    static boolean verifies(byte[] doc) {
        try {
            ProofVerifier.verify(doc);
            return true;
        } catch (InvalidProofException e) {
            return false;
        }
    }

    /** The bytes of claim.outcome.changes in the document, or {-1, -1}. */
    static int[] outcomeSpan(byte[] doc) {
        String text = new String(doc, StandardCharsets.ISO_8859_1);
        int start = text.indexOf("\"outcome\":{\"changes\":[");
        if (start < 0) {
            return new int[] {-1, -1};
        }
        int end = text.indexOf("],\"success\":", start);
        return new int[] {start, end};
    }

    private static void collectMembers(JsonValue v, List<Object> path, List<List<Object>> out) {
        if (v instanceof JsonValue.Obj o) {
            for (var e : o.members().entrySet()) {
                List<Object> p = new ArrayList<>(path);
                p.add(e.getKey());
                out.add(p);
                collectMembers(e.getValue(), p, out);
            }
        } else if (v instanceof JsonValue.Arr a) {
            for (int i = 0; i < a.elements().size(); i++) {
                List<Object> p = new ArrayList<>(path);
                p.add(i);
                collectMembers(a.elements().get(i), p, out);
            }
        }
    }

    /** {@code v} without the member at {@code path} (from {@code depth}). */
    private static JsonValue without(JsonValue v, List<Object> path, int depth) {
        Object key = path.get(depth);
        if (v instanceof JsonValue.Obj o) {
            Map<String, JsonValue> m = new LinkedHashMap<>(o.members());
            if (depth == path.size() - 1) {
                m.remove((String) key);
            } else {
                m.put((String) key, without(o.get((String) key), path, depth + 1));
            }
            return new JsonValue.Obj(m);
        }
        JsonValue.Arr a = (JsonValue.Arr) v;
        List<JsonValue> l = new ArrayList<>(a.elements());
        l.set((Integer) key, without(l.get((Integer) key), path, depth + 1));
        return new JsonValue.Arr(l);
    }

    static JsonValue.Obj with(JsonValue.Obj o, String name, JsonValue value) {
        Map<String, JsonValue> m = new LinkedHashMap<>(o.members());
        m.put(name, value);
        return new JsonValue.Obj(m);
    }
}
