package dev.vitra.watchdog.note;

import dev.vitra.watchdog.util.StrictBase64;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A C2SP signed note: a text ending in a newline, a blank line, then one or more signature lines
 * {@code — <name> <base64(key id || signature)>}. Parsing is strict and bounded; {@link #format()} is its
 * exact inverse for any note {@link #parse} accepts.
 */
public record SignedNote(String text, List<NoteSignature> signatures) {
    /** At most this many signature lines; more is rejected (the Go implementation's limit). */
    public static final int MAX_SIGNATURES = 100;
    /** Upper bound on a whole note, generous enough for 100 post-quantum signatures. */
    public static final int MAX_BYTES = 1 << 20;

    private static final String SIG_PREFIX = "\u2014 ";

    public SignedNote {
        signatures = List.copyOf(signatures);
        if (text.isEmpty() || !text.endsWith("\n")) {
            throw new IllegalArgumentException("note text must be non-empty and end with a newline");
        }
        if (text.contains("\n\n")) {
            throw new IllegalArgumentException("note text must not contain a blank line");
        }
        checkNoControlCharacters(text);
    }

    /** A note carrying one new signature over {@code text}. */
    public static SignedNote sign(String text, SignerKey... signers) {
        byte[] message = text.getBytes(StandardCharsets.UTF_8);
        List<NoteSignature> sigs = new ArrayList<>();
        for (SignerKey signer : signers) {
            sigs.add(signer.sign(message));
        }
        return new SignedNote(text, sigs);
    }

    public byte[] textBytes() {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    public String format() {
        StringBuilder sb = new StringBuilder(text).append('\n');
        for (NoteSignature sig : signatures) {
            sb.append(SIG_PREFIX).append(sig.name()).append(' ').append(StrictBase64.encode(sig.payload())).append('\n');
        }
        return sb.toString();
    }

    public byte[] toBytes() {
        return format().getBytes(StandardCharsets.UTF_8);
    }

    public SignedNote withSignature(NoteSignature extra) {
        List<NoteSignature> sigs = new ArrayList<>(signatures);
        sigs.add(extra);
        return new SignedNote(text, sigs);
    }

    public static SignedNote parse(byte[] raw) throws MalformedNoteException {
        if (raw.length > MAX_BYTES) {
            throw new MalformedNoteException("note is " + raw.length + " bytes, more than the limit of " + MAX_BYTES);
        }
        String all = decodeUtf8(raw);
        try {
            checkNoControlCharacters(all);
        } catch (IllegalArgumentException e) {
            throw new MalformedNoteException(e.getMessage());
        }
        int split = all.lastIndexOf("\n\n");
        if (split < 0) {
            throw new MalformedNoteException("note has no blank line separating the text from the signatures");
        }
        String text = all.substring(0, split + 1);
        String block = all.substring(split + 2);
        if (block.isEmpty()) {
            throw new MalformedNoteException("note has no signature lines after the blank line");
        }
        if (!block.endsWith("\n")) {
            throw new MalformedNoteException("note's last signature line does not end with a newline");
        }
        String[] lines = block.substring(0, block.length() - 1).split("\n", -1);
        if (lines.length > MAX_SIGNATURES) {
            throw new MalformedNoteException("note has " + lines.length + " signature lines, more than the limit of "
                    + MAX_SIGNATURES);
        }
        List<NoteSignature> sigs = new ArrayList<>(lines.length);
        for (int i = 0; i < lines.length; i++) {
            sigs.add(parseSignatureLine(lines[i], i + 1));
        }
        try {
            return new SignedNote(text, sigs);
        } catch (IllegalArgumentException e) {
            throw new MalformedNoteException(e.getMessage(), e);
        }
    }

    private static NoteSignature parseSignatureLine(String line, int number) throws MalformedNoteException {
        String where = "signature line " + number;
        if (!line.startsWith(SIG_PREFIX)) {
            throw new MalformedNoteException(where + " does not start with an em dash and a space");
        }
        String rest = line.substring(SIG_PREFIX.length());
        int space = rest.indexOf(' ');
        if (space <= 0) {
            throw new MalformedNoteException(where + " must be \"— <key name> <base64 signature>\"");
        }
        String name = rest.substring(0, space);
        String b64 = rest.substring(space + 1);
        byte[] payload;
        try {
            KeyNames.check(name);
            payload = StrictBase64.decode(b64, where + " signature");
        } catch (IllegalArgumentException e) {
            throw new MalformedNoteException(e.getMessage(), e);
        }
        if (payload.length < 5) {
            throw new MalformedNoteException(where + " signature is " + payload.length
                    + " bytes; it needs a 4-byte key id and a signature");
        }
        byte[] sig = new byte[payload.length - 4];
        System.arraycopy(payload, 4, sig, 0, sig.length);
        return new NoteSignature(name, KeyId.fromBytes(payload, 0), sig);
    }

    private static String decodeUtf8(byte[] raw) throws MalformedNoteException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(raw);
        try {
            return decoder.decode(in).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedNoteException("note is not valid UTF-8 (at byte " + in.position() + ")", e);
        }
    }

    private static void checkNoControlCharacters(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 && c != '\n') {
                throw new IllegalArgumentException(String.format("note contains control character U+%04X at offset %d", (int) c, i));
            }
        }
    }
}
