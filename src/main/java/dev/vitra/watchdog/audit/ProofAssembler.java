package dev.vitra.watchdog.audit;

import dev.vitra.watchdog.evidence.ForkEvidence;
import dev.vitra.watchdog.evidence.FraudProof;
import dev.vitra.watchdog.evidence.InvalidProofException;
import dev.vitra.watchdog.evidence.ProofCodec;
import dev.vitra.watchdog.evidence.ProofNotes;
import dev.vitra.watchdog.evidence.ProofVerifier;
import dev.vitra.watchdog.merkle.Hash;
import dev.vitra.watchdog.merkle.NodeUnavailableException;
import dev.vitra.watchdog.merkle.TreeHasher;
import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.note.SignedCheckpoint;
import dev.vitra.watchdog.store.StoreSession;
import dev.vitra.watchdog.tileclient.BundleStream;
import dev.vitra.watchdog.tileclient.FetchException;
import dev.vitra.watchdog.tileclient.TileClient;
import dev.vitra.watchdog.tiles.EntryBundleId;
import dev.vitra.watchdog.tiles.TileFormatException;
import dev.vitra.watchdog.tiles.TileLayout;
import dev.vitra.watchdog.tiles.TileResource;
import dev.vitra.watchdog.tiles.TiledTree;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;

/**
 * Turns a fraud finding's evidence into a {@code vitra-fraud-proof/1} document (docs/evidence.md): entries read
 * again from the log server and checked against the mirror's leaf hashes, inclusion proofs built from the mirror,
 * notes byte for byte. Every document is verified by {@link ProofVerifier} before anyone sees it; one that does not
 * verify is a bug in this class or the engine, and fails loudly instead of being stored or sent.
 */
final class ProofAssembler {
    /** A proof could not be assembled now (the server withheld entries, or it would be too large). */
    static final class EvidenceUnavailableException extends Exception {
        private final String resource;

        EvidenceUnavailableException(String resource, String problem) {
            super(problem);
            this.resource = resource;
        }

        String resource() {
            return resource;
        }
    }

    /** A verified proof document and its id. */
    record Assembled(String id, byte[] document, FraudProof proof) {
    }

    private ProofAssembler() {
    }

    static Assembled fork(ForkEvidence fork) {
        SignedCheckpoint smaller = fork.smaller();
        SignedCheckpoint larger = fork.larger();
        Hash prefixRoot = fork.prefixRoot();
        if (fork.sameSize() && java.util.Arrays.compareUnsigned(smaller.checkpoint().root().bytes(),
                larger.checkpoint().root().bytes()) > 0) {
            // Equal sizes: the note with the lower root first, so the pair has one document (docs/evidence.md).
            smaller = fork.larger();
            larger = fork.smaller();
            prefixRoot = larger.checkpoint().root();
        }
        return verified(new FraudProof.LogFork(fork.log(), ProofNotes.minimal(smaller, fork.log()),
                ProofNotes.minimal(larger, fork.log()), prefixRoot, fork.proof().path()));
    }

    static Assembled breach(FraudEvidence.Breach evidence, StoreSession session, long dbId, TileClient indexClient)
            throws EvidenceUnavailableException, InterruptedException {
        NavigableSet<Long> positions = evidence.positions();
        if (positions.size() > ProofCodec.MAX_ENTRIES) {
            throw new EvidenceUnavailableException(indexClient.prefix().toString(), "the proof would carry "
                    + positions.size() + " entries, more than the format's limit of " + ProofCodec.MAX_ENTRIES);
        }
        long size = evidence.index().size();
        TiledTree tree = new Mirror(session, dbId, evidence.indexLog()).tree(size);
        Map<Long, byte[]> bytes = entries(positions, size, tree, indexClient);
        List<FraudProof.ProvenEntry> entries = new ArrayList<>(positions.size());
        try {
            for (long p : positions) {
                entries.add(new FraudProof.ProvenEntry(p, bytes.get(p), tree.proofs().inclusionProof(p).path()));
            }
        } catch (NodeUnavailableException e) {
            throw new IllegalStateException("the mirror of the index lacks a node of its verified tree", e);
        }
        FraudProof.Claim claim = switch (evidence.basis()) {
            case FraudEvidence.Direct d -> d.claim();
            case FraudEvidence.Replayed r -> new FraudProof.Claim.Replay(op(r.op(), session, dbId), r.contract().writtenAt(),
                    r.contract().sha256(), r.outcome());
        };
        Map<LogId, String> replay = new HashMap<>();
        evidence.replayCheckpoints().forEach((log, cp) -> replay.put(log, ProofNotes.minimal(cp, log)));
        return verified(new FraudProof.Breach(evidence.code(), evidence.indexLog(),
                ProofNotes.minimal(evidence.index(), evidence.indexLog()), evidence.at(), entries, claim, replay));
    }

    private static FraudProof.ProvenOp op(FraudEvidence.OpAnchor op, StoreSession session, long dbId) {
        TiledTree tree = new Mirror(session, dbId, op.oplog()).tree(op.checkpoint().size());
        List<Hash> path;
        try {
            path = tree.proofs().inclusionProof(op.seq()).path();
        } catch (NodeUnavailableException e) {
            throw new IllegalStateException("the mirror of oplog " + op.oplog() + " lacks a node of its verified tree", e);
        }
        return new FraudProof.ProvenOp(op.oplog(), op.seq(), op.data(), ProofNotes.minimal(op.checkpoint(), op.oplog()), path);
    }

    /** The entries at {@code positions}, read from the server and checked against the mirror's leaves. */
    private static Map<Long, byte[]> entries(NavigableSet<Long> positions, long size, TiledTree tree, TileClient client)
            throws EvidenceUnavailableException, InterruptedException {
        LinkedHashSet<EntryBundleId> bundles = new LinkedHashSet<>();
        for (long p : positions) {
            bundles.add(TileLayout.bundle(p / TileResource.FULL_WIDTH, size));
        }
        Map<Long, byte[]> out = new HashMap<>();
        TreeHasher hasher = new TreeHasher();
        try (BundleStream stream = new BundleStream(client, List.copyOf(bundles))) {
            while (stream.hasNext()) {
                EntryBundleId bundle = stream.peek();
                List<byte[]> read;
                try {
                    read = stream.next();
                } catch (FetchException | TileFormatException e) {
                    throw new EvidenceUnavailableException(client.prefix() + "/" + bundle.path(), e.getMessage());
                }
                for (int i = 0; i < read.size(); i++) {
                    long p = bundle.firstEntry() + i;
                    if (!positions.contains(p)) {
                        continue;
                    }
                    try {
                        if (!hasher.leafHash(read.get(i)).equals(Mirror.leafHash(tree, p))) {
                            throw new EvidenceUnavailableException(client.prefix() + "/" + bundle.path(),
                                    "entry " + p + " does not hash to its leaf in the verified tree");
                        }
                    } catch (NodeUnavailableException e) {
                        throw new IllegalStateException("the mirror of the index lacks leaf " + p, e);
                    }
                    out.put(p, read.get(i));
                }
            }
        }
        if (out.size() != positions.size()) {
            throw new EvidenceUnavailableException(client.prefix().toString(), "the server's bundles lack some of entries "
                    + positions.first() + ".." + positions.last());
        }
        return out;
    }

    private static Assembled verified(FraudProof proof) {
        byte[] document = ProofCodec.write(proof);
        try {
            ProofVerifier.verify(document);
        } catch (InvalidProofException e) {
            throw new IllegalStateException("BUG: the " + proof.code() + " proof this watchdog built does not verify ("
                    + e.getMessage() + "); it is not stored or sent", e);
        }
        return new Assembled(ProofCodec.id(document), document, proof);
    }
}
