package dev.vitra.watchdog.evidence;

import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.note.NoteSignature;
import dev.vitra.watchdog.note.SignedCheckpoint;
import dev.vitra.watchdog.note.SignedNote;
import dev.vitra.watchdog.note.VerifierKey;
import java.util.List;

/**
 * Notes as a proof carries them: the signed text byte for byte and exactly one signature line, the log's own. Other
 * lines (witness cosignatures, junk a server appended) prove nothing here, and keeping them would let anyone change a
 * proof's bytes, and so its id, without changing what it proves.
 */
public final class ProofNotes {
    private ProofNotes() {
    }

    /** The note of {@code checkpoint} with only the signature line of {@code log}'s key that verifies. */
    public static String minimal(SignedCheckpoint checkpoint, LogId log) {
        VerifierKey key = log.verifierKey();
        SignedNote note = checkpoint.note();
        NoteSignature own = note.signatures().stream()
                .filter(s -> s.name().equals(key.name()) && s.keyId().equals(key.keyId())
                        && key.verifies(note.textBytes(), s))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("the checkpoint has no valid signature of " + log));
        return new SignedNote(note.text(), List.of(own)).format();
    }
}
