package dev.vitra.watchdog.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vitra.watchdog.merkle.Hash;
import dev.vitra.watchdog.note.Checkpoint;
import dev.vitra.watchdog.note.KeyId;
import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.note.MalformedNoteException;
import dev.vitra.watchdog.note.NoteVerificationException;
import dev.vitra.watchdog.note.SignedCheckpoint;
import dev.vitra.watchdog.note.SignedNote;
import dev.vitra.watchdog.note.SignerKey;
import dev.vitra.watchdog.note.VerifierKey;
import dev.vitra.watchdog.tiles.EntryBundleId;
import dev.vitra.watchdog.tiles.EntryBundles;
import dev.vitra.watchdog.tiles.HashTileId;
import dev.vitra.watchdog.tiles.HashTiles;
import dev.vitra.watchdog.tiles.TileFormatException;
import dev.vitra.watchdog.tiles.TilePaths;
import dev.vitra.watchdog.tiles.TileResource;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The fuzzing run that found the key-id and tile-path defects, kept as properties so they stay fixed: mutated
 * valid inputs must either be refused with the parser's own exception, or parse to a value that formats back to
 * exactly the input (so one text never names two values, and no other exception escapes).
 */
class ParserFuzzProperties {
    private static final SignerKey KEY = LogId.signerFor(new byte[32]);
    private static final LogId LOG = new LogId(KEY.publicKey());
    private static final byte[] CHECKPOINT = SignedCheckpoint.sign(
            new Checkpoint(LOG.origin(), 70_000, new Hash(new byte[32]), List.of("ext line")), KEY).raw();

    @Property(tries = 3000)
    void keyIdsParseOnlyFromAsciiHexAndFormatBackExactly(@ForAll long seed, @ForAll @IntRange(min = 1, max = 4) int edits) {
        String text = Mutator.mutate("4e77496e", seed, edits);
        KeyId parsed;
        try {
            parsed = KeyId.parseHex(text);
        } catch (IllegalArgumentException e) {
            assertThat(text).doesNotMatch("[0-9a-fA-F]{8}");
            return;
        }
        assertThat(text).matches("[0-9a-fA-F]{8}");
        assertThat(parsed.toHex()).isEqualTo(text.toLowerCase(java.util.Locale.ROOT));
    }

    @Example
    void aKeyIdWithAnArabicIndicDigitIsRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> KeyId.parseHex("4e\u06677496e".substring(0, 8)))
                .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> KeyId.parseHex("+4e7749e"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Property(tries = 3000)
    void verifierKeysRoundTrip(@ForAll long seed, @ForAll @IntRange(min = 1, max = 4) int edits) {
        String text = Mutator.mutate(LOG.verifierKey().format(), seed, edits);
        VerifierKey parsed;
        try {
            parsed = VerifierKey.parse(text);
        } catch (IllegalArgumentException e) {
            return;
        }
        // parse strips surrounding whitespace (keys come from files); the key id may be written in capitals.
        assertThat(parsed.format()).isEqualToIgnoringCase(text.strip());
        assertThat(VerifierKey.parse(parsed.format())).isEqualTo(parsed);
    }

    @Property(tries = 5000)
    void tilePathsParseOnlyCanonicalPaths(@ForAll long seed, @ForAll @IntRange(min = 1, max = 6) int edits,
            @ForAll @IntRange(min = 0, max = 3) int which) {
        String[] seeds = {"tile/0/x001/x234/067", "tile/entries/x009/x223/x372/x036/x854/x775/807.p/17", "tile/1/000.p/255",
            "tile/entries/123"};
        String path = Mutator.mutate(seeds[which], seed, edits);
        TileResource parsed;
        try {
            parsed = TilePaths.parse(path);
        } catch (IllegalArgumentException e) {
            return;
        }
        assertThat(parsed.path()).isEqualTo(path);
    }

    @Example
    void aTileIndexThatOverflowsIsRefusedAsABadPath() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TilePaths.parse("tile/0/x009/x223/x372/x036/x854/x775/887"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("63 bits");
    }

    @Property(tries = 3000)
    void signedNotesAndCheckpointsFailOnlyWithTheirOwnExceptions(@ForAll long seed, @ForAll @IntRange(min = 1, max = 6) int edits) {
        byte[] raw = Mutator.mutate(CHECKPOINT, seed, edits);
        SignedNote note;
        try {
            note = SignedNote.parse(raw);
        } catch (MalformedNoteException e) {
            return;
        }
        assertThat(note.toBytes()).isEqualTo(raw);
        try {
            SignedCheckpoint opened = SignedCheckpoint.open(raw, LOG.origin(), List.of(LOG.verifierKey()));
            assertThat(opened.checkpoint().format()).isEqualTo(note.text());
        } catch (MalformedNoteException | NoteVerificationException e) {
            // refused with the parser's own exception: fine
        }
        try {
            assertThat(Checkpoint.parse(note.text()).format()).isEqualTo(note.text());
        } catch (MalformedNoteException e) {
            // fine
        }
    }

    @Property(tries = 3000)
    void bundlesAndTilesFailOnlyWithTileFormatException(@ForAll long seed, @ForAll @IntRange(min = 1, max = 6) int edits,
            @ForAll @IntRange(min = 1, max = 256) int width) {
        List<byte[]> entries = new ArrayList<>();
        for (int i = 0; i < width; i++) {
            entries.add(("entry " + i).getBytes(StandardCharsets.UTF_8));
        }
        byte[] bundle = Mutator.mutate(EntryBundles.format(entries), seed, edits);
        EntryBundleId id = new EntryBundleId(3, width);
        try {
            assertThat(EntryBundles.format(EntryBundles.parse(id, bundle))).isEqualTo(bundle);
        } catch (TileFormatException e) {
            // fine
        }
        List<Hash> hashes = new ArrayList<>();
        for (int i = 0; i < width; i++) {
            byte[] h = new byte[32];
            Arrays.fill(h, (byte) i);
            hashes.add(new Hash(h));
        }
        byte[] tile = Mutator.mutate(HashTiles.format(hashes), seed, edits);
        try {
            assertThat(HashTiles.format(HashTiles.parse(new HashTileId(0, 3, width), tile))).isEqualTo(tile);
        } catch (TileFormatException e) {
            // fine
        }
    }
}
