package dev.vitra.watchdog.note;

/** Deterministic keys for tests. */
final class NoteTestKeys {
    private NoteTestKeys() {
    }

    static SignerKey signer(String name, int seedByte) {
        byte[] seed = new byte[32];
        java.util.Arrays.fill(seed, (byte) seedByte);
        return SignerKey.fromSeed(name, seed);
    }
}
