package dev.vitra.watchdog.note;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vitra.watchdog.merkle.Hash;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

class NoteCodecProperties {
    private static final SignerKey KEY = NoteTestKeys.signer("example.com/log", 5);

    @Provide
    Arbitrary<String> line() {
        return Arbitraries.strings().withCharRange(' ', '~').withChars('é', 'λ', '—', 'ü').ofMinLength(1).ofMaxLength(40);
    }

    @Property(tries = 300)
    void checkpointFormatAndParseAreInverse(@ForAll("line") String origin, @ForAll @LongRange(min = 0) long size,
            @ForAll @Size(32) byte[] root, @ForAll @Size(max = 3) List<@net.jqwik.api.From("line") String> extensions)
            throws Exception {
        Checkpoint cp = new Checkpoint(origin, size, new Hash(root), extensions);
        assertThat(Checkpoint.parse(cp.format())).isEqualTo(cp);
    }

    @Property(tries = 200)
    void signedNoteFormatAndParseAreInverseAndVerify(@ForAll @Size(min = 1, max = 5) List<@net.jqwik.api.From("line") String> lines,
            @ForAll @IntRange(min = 0, max = 5) int witnesses) throws Exception {
        String text = String.join("\n", lines) + "\n";
        SignedNote note = SignedNote.sign(text, KEY);
        for (int i = 0; i < witnesses; i++) {
            note = note.withSignature(NoteTestKeys.signer("witness" + i, 10 + i).sign(note.textBytes()));
        }
        SignedNote parsed = SignedNote.parse(note.toBytes());
        assertThat(parsed).isEqualTo(note);
        assertThat(parsed.format()).isEqualTo(note.format());
        assertThat(NoteVerifier.verify(parsed, List.of(KEY.verifierKey()))).containsExactly(KEY.verifierKey());
    }

    @Property(tries = 300)
    void anyByteFlipIsRejectedOrFailsVerification(@ForAll @IntRange(min = 0, max = 10_000) int position,
            @ForAll @IntRange(min = 1, max = 255) int xor) {
        SignedCheckpoint cp = SignedCheckpoint.sign(new Checkpoint("example.com/log", 42, new Hash(new byte[32])), KEY);
        byte[] raw = cp.raw();
        raw[position % raw.length] ^= (byte) xor;
        boolean accepted;
        try {
            SignedCheckpoint.open(raw, "example.com/log", List.of(KEY.verifierKey()));
            accepted = true;
        } catch (MalformedNoteException | NoteVerificationException e) {
            accepted = false;
        }
        assertThat(accepted).isFalse();
    }
}
