package dev.vitra.watchdog.note;

import dev.vitra.watchdog.util.StrictBase64;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * A signed-note signer key, {@code PRIVATE+KEY+<name>+<key id hex>+<base64(0x01 || 32-byte seed)>}. Holds the
 * private seed: {@link #toString()} never prints it.
 */
public record SignerKey(String name, KeyId keyId, byte[] seed) {
    private static final String PREFIX = "PRIVATE+KEY+";

    public SignerKey {
        KeyNames.check(name);
        if (seed == null || seed.length != 32) {
            throw new IllegalArgumentException("an Ed25519 seed is 32 bytes");
        }
        seed = seed.clone();
        KeyId expected = KeyId.forEd25519(name, publicKeyOf(seed));
        if (!expected.equals(keyId)) {
            throw new IllegalArgumentException("signer key id " + keyId + " does not match its key (expected " + expected + ")");
        }
    }

    public static SignerKey generate(String name, SecureRandom random) {
        byte[] seed = new byte[32];
        random.nextBytes(seed);
        return new SignerKey(name, KeyId.forEd25519(name, publicKeyOf(seed)), seed);
    }

    public static SignerKey fromSeed(String name, byte[] seed) {
        return new SignerKey(name, KeyId.forEd25519(name, publicKeyOf(seed)), seed);
    }

    public static SignerKey parse(String text) {
        String skey = text.strip();
        if (!skey.startsWith(PREFIX)) {
            throw new IllegalArgumentException("signer key must start with " + PREFIX);
        }
        String rest = skey.substring(PREFIX.length());
        int first = rest.indexOf('+');
        int second = first < 0 ? -1 : rest.indexOf('+', first + 1);
        if (first < 0 || second < 0) {
            throw new IllegalArgumentException("signer key must look like PRIVATE+KEY+name+keyid+base64seed");
        }
        String name = rest.substring(0, first);
        KeyId keyId = KeyId.parseHex(rest.substring(first + 1, second));
        byte[] typed = StrictBase64.decode(rest.substring(second + 1), "signer key");
        if (typed.length != 33 || typed[0] != KeyId.ED25519) {
            throw new IllegalArgumentException("signer key " + name + " is not 0x01 followed by a 32-byte Ed25519 seed");
        }
        return new SignerKey(name, keyId, Arrays.copyOfRange(typed, 1, 33));
    }

    @Override
    public byte[] seed() {
        return seed.clone();
    }

    public String format() {
        byte[] typed = new byte[33];
        typed[0] = KeyId.ED25519;
        System.arraycopy(seed, 0, typed, 1, 32);
        return PREFIX + name + "+" + keyId.toHex() + "+" + StrictBase64.encode(typed);
    }

    public Ed25519PublicKey publicKey() {
        return publicKeyOf(seed);
    }

    public VerifierKey verifierKey() {
        return new VerifierKey(name, keyId, publicKey());
    }

    public NoteSignature sign(byte[] message) {
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, new Ed25519PrivateKeyParameters(seed, 0));
        signer.update(message, 0, message.length);
        return new NoteSignature(name, keyId, signer.generateSignature());
    }

    private static Ed25519PublicKey publicKeyOf(byte[] seed) {
        return new Ed25519PublicKey(new Ed25519PrivateKeyParameters(seed, 0).generatePublicKey().getEncoded());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SignerKey k && name.equals(k.name) && keyId.equals(k.keyId) && Arrays.equals(seed, k.seed);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + keyId.hashCode();
    }

    @Override
    public String toString() {
        return "SignerKey[" + name + "+" + keyId + "]";
    }
}
