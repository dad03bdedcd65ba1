package dev.vitra.watchdog.note;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vitra.watchdog.testing.SharedVectors;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The C2SP and sumdb signed-note vectors and Tessera's checkpoints, from ../shared/testvectors. */
class PublishedNoteVectorsTest {
    private static String read(Path p) throws Exception {
        return Files.readString(p, StandardCharsets.UTF_8);
    }

    @Test
    void c2spWorkedExampleVerifiesWithItsKey() throws Exception {
        Path dir = SharedVectors.require("notes");
        VerifierKey key = VerifierKey.parse(read(dir.resolve("c2sp-example.vkey")));
        SignedNote note = SignedNote.parse(Files.readAllBytes(dir.resolve("c2sp-example.note")));
        assertThat(NoteVerifier.verify(note, List.of(key))).containsExactly(key);
        assertThat(note.text()).isEqualTo("This is an example message.\n");
        assertThat(note.toBytes()).isEqualTo(Files.readAllBytes(dir.resolve("c2sp-example.note")));
    }

    @Test
    void signingPeterNeumannTextWithItsSignerKeyReproducesTheNoteByteForByte() throws Exception {
        Path dir = SharedVectors.require("notes");
        SignerKey signer = SignerKey.parse(read(dir.resolve("peterneumann.skey")));
        VerifierKey vkey = VerifierKey.parse(read(dir.resolve("peterneumann.vkey")));
        byte[] expected = Files.readAllBytes(dir.resolve("peterneumann.note"));
        SignedNote published = SignedNote.parse(expected);

        assertThat(signer.verifierKey()).isEqualTo(vkey);
        assertThat(signer.format()).isEqualTo(read(dir.resolve("peterneumann.skey")).strip());
        assertThat(vkey.format()).isEqualTo(read(dir.resolve("peterneumann.vkey")).strip());
        assertThat(SignedNote.sign(published.text(), signer).toBytes()).isEqualTo(expected);
        assertThat(NoteVerifier.verify(published, List.of(vkey))).containsExactly(vkey);
    }

    @Test
    void everyTesseraCheckpointVerifiesWithTheLogKeyWhoseBase64ContainsPlus() throws Exception {
        Path dir = SharedVectors.require("tessera-log");
        String vkeyText = read(dir.resolve("log.vkey"));
        assertThat(vkeyText.substring(vkeyText.indexOf('+', vkeyText.indexOf('+') + 1) + 1)).contains("+");
        VerifierKey key = VerifierKey.parse(vkeyText);
        for (int n = 0; n <= 15; n++) {
            byte[] raw = Files.readAllBytes(dir.resolve("checkpoint." + n));
            SignedCheckpoint cp = SignedCheckpoint.open(raw, "example.com/log/testdata", List.of(key));
            assertThat(cp.size()).isEqualTo(n);
            assertThat(cp.checkpoint().format()).isEqualTo(cp.note().text());
        }
    }
}
