package dev.vitra.watchdog.note;

import java.util.regex.Pattern;

/**
 * A Vitra log id: the log's Ed25519 public key as 64 lowercase hex digits. The origin and the only verifier
 * key of the log follow from it (PROTOCOL §1), so a monitor needs nothing else to check a checkpoint.
 */
public record LogId(Ed25519PublicKey publicKey) {
    public static final String ORIGIN_PREFIX = "vitra/v1/";
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

    public static LogId parse(String hex) {
        if (!HEX64.matcher(hex).matches()) {
            throw new IllegalArgumentException("log id must be 64 lowercase hex digits, got \"" + hex + "\"");
        }
        return new LogId(Ed25519PublicKey.fromHex(hex));
    }

    public String hex() {
        return publicKey.toHex();
    }

    /** {@code vitra/v1/<log id>}: the checkpoint origin line and signature key name. */
    public String origin() {
        return ORIGIN_PREFIX + hex();
    }

    public VerifierKey verifierKey() {
        return VerifierKey.of(origin(), publicKey);
    }

    /** A signer whose log id this is, for a new log. */
    public static SignerKey signerFor(byte[] seed) {
        SignerKey probe = SignerKey.fromSeed("probe", seed);
        return SignerKey.fromSeed(new LogId(probe.publicKey()).origin(), seed);
    }

    @Override
    public String toString() {
        return hex();
    }
}
