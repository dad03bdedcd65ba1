package dev.vitra.watchdog.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vitra.watchdog.protocol.Json;
import dev.vitra.watchdog.protocol.JsonValue;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Proofs made to hurt the verifier are refused with a reason, after bounded work. */
class HostileProofTest {
    private static InvalidProofException refusal(byte[] doc) {
        try {
            ProofVerifier.verify(doc);
        } catch (InvalidProofException e) {
            return e;
        }
        throw new AssertionError("accepted");
    }

    @Test
    void aDocumentLargerThanTheLimitIsRefusedBeforeItIsParsed() {
        byte[] huge = new byte[ProofCodec.MAX_BYTES + 1];
        java.util.Arrays.fill(huge, (byte) '[');
        assertThat(refusal(huge).check()).isEqualTo("size");
    }

    @Test
    void aMillionNestedArraysAreRefusedWithoutBlowingTheStack() {
        int depth = 1_000_000;
        byte[] doc = ("[".repeat(depth) + "]".repeat(depth)).getBytes(StandardCharsets.US_ASCII);
        assertThat(refusal(doc).check()).isEqualTo("document");
    }

    @Test
    void deeplyNestedJunkInsideAValidLookingProofIsRefusedByItsSchema() throws Exception {
        JsonValue.Obj root = (JsonValue.Obj) Json.parse(ProofTamperingTest.golden("processed-twice"));
        JsonValue deep = Json.parse("[".repeat(200_000) + "]".repeat(200_000));
        byte[] doc = CanonicalJson.write(ProofTamperingTest.with(root, "claim", deep));
        assertThat(refusal(doc).check()).isEqualTo("claim");
    }

    @Test
    void aNoteWithThousandsOfSignatureLinesIsRefused() throws Exception {
        JsonValue.Obj root = (JsonValue.Obj) Json.parse(ProofTamperingTest.golden("index-fork"));
        String note = ((JsonValue.Str) root.get("larger")).value();
        String signature = note.substring(note.indexOf("\n\n") + 2);
        String many = note + signature.repeat(5000);
        byte[] doc = CanonicalJson.write(ProofTamperingTest.with(root, "larger", new JsonValue.Str(many)));
        assertThat(refusal(doc).check()).isEqualTo("larger");
        // Within the note size limit but over the signature-line limit.
        String hundreds = note + signature.repeat(150);
        byte[] doc2 = CanonicalJson.write(ProofTamperingTest.with(root, "larger", new JsonValue.Str(hundreds)));
        assertThat(refusal(doc2).getMessage()).contains("larger");
    }

    @Test
    void thousandsOfReplayCheckpointsWithBadSignaturesAreRefusedAtTheFirst() throws Exception {
        JsonValue.Obj root = (JsonValue.Obj) Json.parse(ProofTamperingTest.golden("processed-twice"));
        JsonValue.Obj replay = (JsonValue.Obj) root.get("replayCheckpoints");
        String note = ((JsonValue.Str) replay.members().values().iterator().next()).value();
        Map<String, JsonValue> many = new LinkedHashMap<>(replay.members());
        for (int i = 0; i < 20_000; i++) {
            many.put(String.format("%064x", i), new JsonValue.Str(note));
        }
        byte[] doc = CanonicalJson.write(ProofTamperingTest.with(root, "replayCheckpoints", new JsonValue.Obj(many)));
        assertThat(refusal(doc).check()).startsWith("replayCheckpoints.");
    }

    @Test
    void numbersThatAreNotPlainSafeIntegersAreRefused() throws Exception {
        String doc = new String(ProofTamperingTest.golden("processed-twice"), StandardCharsets.UTF_8);
        for (String at : new String[] {"7.0", "7e0", "-7", "9007199254740992", "07"}) {
            String t = doc.replaceFirst("\"at\":[0-9]+", "\"at\":" + at);
            assertThatThrownBy(() -> ProofVerifier.verify(t.getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOf(InvalidProofException.class);
        }
    }
}
