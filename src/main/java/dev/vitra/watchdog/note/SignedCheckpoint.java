package dev.vitra.watchdog.note;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * A checkpoint whose note verified against a trusted key, kept together with the exact bytes it arrived as
 * (evidence embeds them byte for byte).
 */
public record SignedCheckpoint(Checkpoint checkpoint, SignedNote note, byte[] raw, List<VerifierKey> verifiedBy) {
    public SignedCheckpoint {
        raw = raw.clone();
        verifiedBy = List.copyOf(verifiedBy);
    }

    @Override
    public byte[] raw() {
        return raw.clone();
    }

    public String rawText() {
        return new String(raw, StandardCharsets.UTF_8);
    }

    public long size() {
        return checkpoint.size();
    }

    /**
     * Parses and verifies {@code raw}: a well-formed note, signed by one of {@code trusted}, whose text is a
     * well-formed checkpoint with origin {@code expectedOrigin}.
     */
    public static SignedCheckpoint open(byte[] raw, String expectedOrigin, List<VerifierKey> trusted)
            throws MalformedNoteException, NoteVerificationException {
        SignedNote note = SignedNote.parse(raw);
        List<VerifierKey> verified = NoteVerifier.verify(note, trusted);
        Checkpoint checkpoint = Checkpoint.parse(note.text());
        if (!checkpoint.origin().equals(expectedOrigin)) {
            throw new NoteVerificationException(NoteVerificationException.Kind.WRONG_ORIGIN,
                    "checkpoint origin is \"" + checkpoint.origin() + "\", expected \"" + expectedOrigin + "\"",
                    List.of(expectedOrigin), List.of(checkpoint.origin()));
        }
        return new SignedCheckpoint(checkpoint, note, raw, verified);
    }

    /** Signs {@code checkpoint} with {@code signer}. */
    public static SignedCheckpoint sign(Checkpoint checkpoint, SignerKey signer) {
        SignedNote note = SignedNote.sign(checkpoint.format(), signer);
        return new SignedCheckpoint(checkpoint, note, note.toBytes(), List.of(signer.verifierKey()));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SignedCheckpoint c && Arrays.equals(raw, c.raw);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(raw);
    }

    @Override
    public String toString() {
        return "SignedCheckpoint[" + checkpoint.origin() + " size " + checkpoint.size() + " root " + checkpoint.root() + "]";
    }
}
