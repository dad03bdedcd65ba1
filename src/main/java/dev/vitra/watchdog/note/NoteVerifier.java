package dev.vitra.watchdog.note;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Applies the signed-note rules for a set of trusted keys:
 * <ul>
 *   <li>a signature line is <em>known</em> only if both its key name and key id match a trusted key; lines that
 *       match neither or only one are ignored (they may be witnesses, or a key rotation);</li>
 *   <li>every known signature is verified, and one that fails rejects the whole note, even if another line
 *       from the same key verifies (so a duplicate cannot hide a forgery);</li>
 *   <li>at least one known signature must verify.</li>
 * </ul>
 */
public final class NoteVerifier {
    private NoteVerifier() {
    }

    /** Returns the trusted keys whose signatures verified, in the order they first appear. */
    public static List<VerifierKey> verify(SignedNote note, List<VerifierKey> trusted) throws NoteVerificationException {
        byte[] message = note.textBytes();
        Set<VerifierKey> verified = new LinkedHashSet<>();
        for (NoteSignature sig : note.signatures()) {
            for (VerifierKey key : trusted) {
                if (!key.name().equals(sig.name()) || !key.keyId().equals(sig.keyId())) {
                    continue;
                }
                if (!key.publicKey().verify(message, sig.signature())) {
                    throw new NoteVerificationException(NoteVerificationException.Kind.INVALID_SIGNATURE,
                            "signature by " + sig.name() + "+" + sig.keyId() + " does not verify",
                            List.of(key.format()), List.of(sig.name() + "+" + sig.keyId()));
                }
                verified.add(key);
            }
        }
        if (verified.isEmpty()) {
            List<String> found = new ArrayList<>();
            note.signatures().forEach(s -> found.add(s.name() + "+" + s.keyId()));
            List<String> expected = trusted.stream().map(k -> k.name() + "+" + k.keyId()).toList();
            throw new NoteVerificationException(NoteVerificationException.Kind.NO_KNOWN_SIGNATURE,
                    "note has no signature from a trusted key: expected " + expected + ", found " + found,
                    expected, found);
        }
        return List.copyOf(verified);
    }
}
