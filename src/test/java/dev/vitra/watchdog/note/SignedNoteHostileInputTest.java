package dev.vitra.watchdog.note;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vitra.watchdog.merkle.TreeHasher;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class SignedNoteHostileInputTest {
    private final SignerKey alice = NoteTestKeys.signer("example.com/alice", 1);
    private final SignerKey bob = NoteTestKeys.signer("example.com/bob", 2);
    private final String text = "example.com/alice\n7\n" + TreeHasher.EMPTY_ROOT.toBase64() + "\n";

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private String signed() {
        return SignedNote.sign(text, alice).format();
    }

    @Test
    void noteWithControlCharacterIsRejectedNamingTheCharacterAndOffset() {
        String bad = signed().replaceFirst("\n7\n", "\n7\r\n");
        assertThatThrownBy(() -> SignedNote.parse(utf8(bad)))
                .isInstanceOf(MalformedNoteException.class).hasMessageContaining("U+000D").hasMessageContaining("offset 19");
        assertThatThrownBy(() -> SignedNote.parse(utf8(signed().replace("alice\n", "al\tice\n"))))
                .hasMessageContaining("U+0009");
    }

    @Test
    void noteThatIsNotUtf8IsRejectedNamingTheByte() {
        byte[] raw = utf8(signed());
        raw[3] = (byte) 0xC3;
        raw[4] = (byte) 0x28;
        assertThatThrownBy(() -> SignedNote.parse(raw)).isInstanceOf(MalformedNoteException.class)
                .hasMessageContaining("not valid UTF-8").hasMessageContaining("byte 3");
    }

    @Test
    void noteWithoutBlankLineIsRejected() {
        String noBlank = signed().replace("\n\n", "\n");
        assertThatThrownBy(() -> SignedNote.parse(utf8(noBlank))).hasMessageContaining("no blank line");
    }

    @Test
    void noteWithNoSignatureLinesOrUnterminatedLastLineIsRejected() {
        assertThatThrownBy(() -> SignedNote.parse(utf8(text + "\n"))).hasMessageContaining("no signature lines");
        String unterminated = signed();
        assertThatThrownBy(() -> SignedNote.parse(utf8(unterminated.substring(0, unterminated.length() - 1))))
                .hasMessageContaining("does not end with a newline");
    }

    @Test
    void noteWithMoreThan100SignaturesIsRejectedAndExactly100IsAccepted() throws Exception {
        SignedNote note = SignedNote.sign(text, alice);
        NoteSignature sig = note.signatures().get(0);
        SignedNote hundred = note;
        for (int i = 1; i < 100; i++) {
            hundred = hundred.withSignature(new NoteSignature("witness" + i, sig.keyId(), sig.signature()));
        }
        assertThat(SignedNote.parse(hundred.toBytes()).signatures()).hasSize(100);
        byte[] tooMany = hundred.withSignature(sig).toBytes();
        assertThatThrownBy(() -> SignedNote.parse(tooMany)).hasMessageContaining("101 signature lines")
                .hasMessageContaining("limit of 100");
    }

    @Test
    void signatureWithWrongKeyIdIsIgnoredSoTheNoteHasNoKnownSignature() throws Exception {
        NoteSignature real = alice.sign(utf8(text));
        SignedNote wrongId = new SignedNote(text, List.of(new NoteSignature(alice.name(), new KeyId(real.keyId().value() ^ 1), real.signature())));
        assertThatThrownBy(() -> NoteVerifier.verify(SignedNote.parse(wrongId.toBytes()), List.of(alice.verifierKey())))
                .isInstanceOfSatisfying(NoteVerificationException.class, e -> {
                    assertThat(e.kind()).isEqualTo(NoteVerificationException.Kind.NO_KNOWN_SIGNATURE);
                    assertThat(e.expected()).containsExactly(alice.name() + "+" + real.keyId());
                    assertThat(e.found()).containsExactly(alice.name() + "+" + new KeyId(real.keyId().value() ^ 1));
                });
    }

    @Test
    void truncatedOrNonCanonicalBase64SignatureIsRejected() {
        String s = signed();
        int end = s.length() - 1;
        String truncated = s.substring(0, end - 3) + "\n";
        assertThatThrownBy(() -> SignedNote.parse(utf8(truncated))).isInstanceOf(MalformedNoteException.class)
                .hasMessageContaining("truncated base64");
        String garbage = s.substring(0, end - 4) + "!!!!\n";
        assertThatThrownBy(() -> SignedNote.parse(utf8(garbage))).hasMessageContaining("not valid base64");
        byte[] four = new byte[4];
        String tooShort = text + "\n\u2014 example.com/alice " + Base64.getEncoder().encodeToString(four) + "\n";
        assertThatThrownBy(() -> SignedNote.parse(utf8(tooShort))).hasMessageContaining("4 bytes");
    }

    @Test
    void signatureLineWithoutEmDashOrWithBadKeyNameIsRejected() {
        assertThatThrownBy(() -> SignedNote.parse(utf8(signed().replace("\u2014 ", "-- "))))
                .hasMessageContaining("em dash");
        String plusName = signed().replace("\u2014 example.com/alice", "\u2014 example.com+alice");
        assertThatThrownBy(() -> SignedNote.parse(utf8(plusName))).hasMessageContaining("'+'");
    }

    @Test
    void unknownSignaturesAreIgnoredAndAKnownOneSuffices() throws Exception {
        SignedNote note = SignedNote.sign(text, bob, alice);
        assertThat(NoteVerifier.verify(SignedNote.parse(note.toBytes()), List.of(alice.verifierKey())))
                .containsExactly(alice.verifierKey());
    }

    @Test
    void aKnownSignatureThatFailsRejectsTheWholeNoteEvenBesideAValidDuplicate() throws Exception {
        SignedNote good = SignedNote.sign(text, alice);
        NoteSignature sig = good.signatures().get(0);
        byte[] forged = sig.signature();
        forged[0] ^= 1;
        SignedNote withBadDuplicate = good.withSignature(new NoteSignature(sig.name(), sig.keyId(), forged));
        assertThatThrownBy(() -> NoteVerifier.verify(SignedNote.parse(withBadDuplicate.toBytes()), List.of(alice.verifierKey())))
                .isInstanceOfSatisfying(NoteVerificationException.class,
                        e -> assertThat(e.kind()).isEqualTo(NoteVerificationException.Kind.INVALID_SIGNATURE));
        SignedNote validDuplicate = good.withSignature(sig);
        assertThat(NoteVerifier.verify(validDuplicate, List.of(alice.verifierKey()))).containsExactly(alice.verifierKey());
    }

    @Test
    void signatureByAnotherKeyUnderTheSameNameIsIgnoredNotFatal() throws Exception {
        SignerKey impostor = NoteTestKeys.signer(alice.name(), 9);
        SignedNote note = SignedNote.sign(text, impostor);
        assertThatThrownBy(() -> NoteVerifier.verify(note, List.of(alice.verifierKey())))
                .isInstanceOfSatisfying(NoteVerificationException.class,
                        e -> assertThat(e.kind()).isEqualTo(NoteVerificationException.Kind.NO_KNOWN_SIGNATURE));
    }

    @Test
    void checkpointWithLeadingZerosSignOrHugeSizeIsRejected() {
        String root = TreeHasher.EMPTY_ROOT.toBase64();
        assertThatThrownBy(() -> Checkpoint.parse("o\n07\n" + root + "\n")).hasMessageContaining("leading zeros");
        assertThatThrownBy(() -> Checkpoint.parse("o\n-1\n" + root + "\n")).hasMessageContaining("without sign");
        assertThatThrownBy(() -> Checkpoint.parse("o\n+1\n" + root + "\n")).hasMessageContaining("without sign");
        assertThatThrownBy(() -> Checkpoint.parse("o\n9223372036854775808\n" + root + "\n")).hasMessageContaining("2^63-1");
        assertThatThrownBy(() -> Checkpoint.parse("o\n 1\n" + root + "\n")).isInstanceOf(MalformedNoteException.class);
    }

    @Test
    void checkpointWithBadRootOrMissingLinesIsRejected() throws Exception {
        assertThatThrownBy(() -> Checkpoint.parse("o\n1\n")).hasMessageContaining("2 lines");
        assertThatThrownBy(() -> Checkpoint.parse("o\n1\nAAAA\n")).hasMessageContaining("3 bytes, expected 32");
        assertThatThrownBy(() -> Checkpoint.parse("\n1\n" + TreeHasher.EMPTY_ROOT.toBase64() + "\n")).hasMessageContaining("origin");
        assertThatThrownBy(() -> Checkpoint.parse("o\n1\n" + TreeHasher.EMPTY_ROOT.toBase64())).hasMessageContaining("newline");
        Checkpoint withExt = Checkpoint.parse("o\n1\n" + TreeHasher.EMPTY_ROOT.toBase64() + "\next one\n");
        assertThat(withExt.extensions()).containsExactly("ext one");
        assertThat(withExt.format()).isEqualTo("o\n1\n" + TreeHasher.EMPTY_ROOT.toBase64() + "\next one\n");
    }

    @Test
    void checkpointWithAnotherOriginIsRejectedEvenWhenSignedByTheTrustedKey() throws Exception {
        SignedCheckpoint cp = SignedCheckpoint.sign(new Checkpoint("other/origin", 0, TreeHasher.EMPTY_ROOT), alice);
        assertThatThrownBy(() -> SignedCheckpoint.open(cp.raw(), "example.com/alice", List.of(alice.verifierKey())))
                .isInstanceOfSatisfying(NoteVerificationException.class, e -> {
                    assertThat(e.kind()).isEqualTo(NoteVerificationException.Kind.WRONG_ORIGIN);
                    assertThat(e.found()).containsExactly("other/origin");
                });
    }

    @Test
    void verifierKeysSplitAtTheFirstTwoPlusSignsAndCheckTheirKeyId() {
        VerifierKey key = alice.verifierKey();
        assertThat(VerifierKey.parse(key.format())).isEqualTo(key);
        String wrongId = key.name() + "+00000000+" + key.format().substring(key.format().lastIndexOf('+') + 1);
        if (!key.format().contains("+00000000+")) {
            assertThatThrownBy(() -> VerifierKey.parse(wrongId)).hasMessageContaining("does not match");
        }
        assertThatThrownBy(() -> VerifierKey.parse("nokeyid")).hasMessageContaining("name+keyid+base64");
        assertThatThrownBy(() -> VerifierKey.parse("n+1234+AAAA")).hasMessageContaining("8 hex digits");
    }

    @Test
    void vitraLogIdDerivesOriginAndVerifierKeyAlone() {
        SignerKey signer = LogId.signerFor(new byte[32]);
        LogId id = new LogId(signer.publicKey());
        assertThat(id.origin()).isEqualTo("vitra/v1/" + id.hex());
        assertThat(id.verifierKey()).isEqualTo(signer.verifierKey());
        assertThat(LogId.parse(id.hex())).isEqualTo(id);
        assertThatThrownBy(() -> LogId.parse(id.hex().toUpperCase())).hasMessageContaining("lowercase");
        assertThatThrownBy(() -> LogId.parse("abcd")).hasMessageContaining("64");
    }
}
