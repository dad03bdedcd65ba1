package dev.vitra.watchdog.note;

import java.util.Arrays;
import java.util.HexFormat;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/** A 32-byte Ed25519 public key (RFC 8032 encoding). */
public record Ed25519PublicKey(byte[] bytes) {
    public static final int SIZE = 32;

    public Ed25519PublicKey {
        if (bytes == null || bytes.length != SIZE) {
            throw new IllegalArgumentException("an Ed25519 public key is " + SIZE + " bytes, got "
                    + (bytes == null ? "none" : bytes.length));
        }
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    public static Ed25519PublicKey fromHex(String hex) {
        return new Ed25519PublicKey(HexFormat.of().parseHex(hex));
    }

    public String toHex() {
        return HexFormat.of().formatHex(bytes);
    }

    /** True when {@code signature} is a valid Ed25519 signature of {@code message} by this key. */
    public boolean verify(byte[] message, byte[] signature) {
        if (signature.length != 64) {
            return false;
        }
        Ed25519PublicKeyParameters params;
        try {
            params = new Ed25519PublicKeyParameters(bytes, 0);
        } catch (IllegalArgumentException e) {
            return false;
        }
        Ed25519Signer verifier = new Ed25519Signer();
        verifier.init(false, params);
        verifier.update(message, 0, message.length);
        return verifier.verifySignature(signature);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Ed25519PublicKey k && Arrays.equals(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return toHex();
    }
}
