package dev.vitra.watchdog.note;

import dev.vitra.watchdog.util.StrictBase64;

/**
 * A signed-note verifier key, {@code <name>+<key id hex>+<base64(0x01 || public key)>}. Only Ed25519 keys are
 * supported. The text is split at the first two '+' only, because base64 itself may contain '+'.
 */
public record VerifierKey(String name, KeyId keyId, Ed25519PublicKey publicKey) {
    public VerifierKey {
        KeyNames.check(name);
        KeyId expected = KeyId.forEd25519(name, publicKey);
        if (!expected.equals(keyId)) {
            throw new IllegalArgumentException("key id " + keyId + " does not match name and key (expected " + expected + ")");
        }
    }

    public static VerifierKey of(String name, Ed25519PublicKey publicKey) {
        return new VerifierKey(name, KeyId.forEd25519(name, publicKey), publicKey);
    }

    public static VerifierKey parse(String text) {
        String vkey = text.strip();
        int first = vkey.indexOf('+');
        int second = first < 0 ? -1 : vkey.indexOf('+', first + 1);
        if (first < 0 || second < 0) {
            throw new IllegalArgumentException("verifier key must look like name+keyid+base64key, got \"" + vkey + "\"");
        }
        String name = vkey.substring(0, first);
        KeyId keyId = KeyId.parseHex(vkey.substring(first + 1, second));
        byte[] typed = StrictBase64.decode(vkey.substring(second + 1), "verifier key");
        if (typed.length == 0 || typed[0] != KeyId.ED25519) {
            throw new IllegalArgumentException("verifier key " + name + " is not an Ed25519 key (type byte "
                    + (typed.length == 0 ? "missing" : String.format("0x%02x", typed[0])) + ")");
        }
        if (typed.length != 1 + Ed25519PublicKey.SIZE) {
            throw new IllegalArgumentException("verifier key " + name + " has " + (typed.length - 1)
                    + " key bytes, an Ed25519 key has " + Ed25519PublicKey.SIZE);
        }
        byte[] key = new byte[Ed25519PublicKey.SIZE];
        System.arraycopy(typed, 1, key, 0, key.length);
        return new VerifierKey(name, keyId, new Ed25519PublicKey(key));
    }

    public String format() {
        byte[] typed = new byte[1 + Ed25519PublicKey.SIZE];
        typed[0] = KeyId.ED25519;
        System.arraycopy(publicKey.bytes(), 0, typed, 1, Ed25519PublicKey.SIZE);
        return name + "+" + keyId.toHex() + "+" + StrictBase64.encode(typed);
    }

    public boolean verifies(byte[] message, NoteSignature signature) {
        return signature.name().equals(name) && signature.keyId().equals(keyId)
                && publicKey.verify(message, signature.signature());
    }

    @Override
    public String toString() {
        return format();
    }
}
