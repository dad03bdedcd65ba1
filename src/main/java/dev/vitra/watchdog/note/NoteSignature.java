package dev.vitra.watchdog.note;

import java.util.Arrays;

/** One signature line of a signed note: key name, key id and the signature bytes that follow the key id. */
public record NoteSignature(String name, KeyId keyId, byte[] signature) {
    public NoteSignature {
        KeyNames.check(name);
        if (signature == null || signature.length == 0) {
            throw new IllegalArgumentException("signature of " + name + " is empty");
        }
        signature = signature.clone();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    /** The base64 payload of the signature line: key id followed by the signature. */
    public byte[] payload() {
        byte[] out = new byte[4 + signature.length];
        keyId.writeTo(out, 0);
        System.arraycopy(signature, 0, out, 4, signature.length);
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NoteSignature s && name.equals(s.name) && keyId.equals(s.keyId)
                && Arrays.equals(signature, s.signature);
    }

    @Override
    public int hashCode() {
        return (name.hashCode() * 31 + keyId.hashCode()) * 31 + Arrays.hashCode(signature);
    }

    @Override
    public String toString() {
        return "NoteSignature[" + name + "+" + keyId + "]";
    }
}
