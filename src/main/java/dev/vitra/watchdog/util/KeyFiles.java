package dev.vitra.watchdog.util;

import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.note.SignerKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;

/** Signer keys on disk: one key per file in signed-note text form, readable by the owner only. */
public final class KeyFiles {
    private KeyFiles() {
    }

    /** Loads a log's signer key from {@code file}, generating a new Vitra log key there if it does not exist. */
    public static SignerKey loadOrCreateLogKey(Path file) throws IOException {
        if (Files.exists(file)) {
            return SignerKey.parse(Files.readString(file, StandardCharsets.UTF_8));
        }
        byte[] seed = new byte[32];
        new SecureRandom().nextBytes(seed);
        SignerKey key = LogId.signerFor(seed);
        Files.createDirectories(file.toAbsolutePath().getParent());
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        } catch (FileAlreadyExistsException e) {
            return SignerKey.parse(Files.readString(file, StandardCharsets.UTF_8));
        }
        Files.writeString(file, key.format() + "\n", StandardCharsets.UTF_8);
        return key;
    }
}
