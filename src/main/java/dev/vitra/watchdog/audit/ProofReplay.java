package dev.vitra.watchdog.audit;

import dev.vitra.watchdog.contract.ContractEngine;
import dev.vitra.watchdog.evidence.FraudProof;
import dev.vitra.watchdog.evidence.InvalidProofException;
import dev.vitra.watchdog.evidence.ProofCodec;
import dev.vitra.watchdog.note.LogId;
import dev.vitra.watchdog.store.AuditStore;
import dev.vitra.watchdog.store.Rows;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Confirms a contract-breach proof by doing what the watchdog did: an audit from entry 0, in a store of its own,
 * of the logs up to exactly the checkpoints the proof names (docs/evidence.md, "Replay"). The proof is confirmed
 * when that audit stops at the same position with the same code and the same claim — for a replay claim the same
 * op, contract and outcome on a fresh contract instance. Data that cannot be had is "cannot confirm", never
 * "invalid".
 */
public final class ProofReplay {
    /** What the replay concluded. */
    public sealed interface Result {
        String explanation();

        record Confirmed(String explanation) implements Result {
        }

        /** The logs the proof names do not show what it claims. */
        record Refuted(String explanation) implements Result {
        }

        /** The replay could not get as far as the claim (missing or unverifiable data, our own limits). */
        record CannotConfirm(String explanation) implements Result {
        }
    }

    private ProofReplay() {
    }

    /** Replays {@code proof} against the logs served under {@code baseUrl} ({@code <base>/logs/<id>/...}). */
    public static Result replay(FraudProof.Breach proof, String baseUrl, ContractEngine engine, AuditSettings settings,
            Consumer<String> progress) throws IOException, InterruptedException {
        Map<LogId, String> pinned = new HashMap<>(proof.replayCheckpoints());
        pinned.put(proof.index(), proof.checkpoint());
        AuditTarget target = new AuditTarget(proof.index(), baseUrl, Map.of(), java.util.Set.of(), pinned);
        Path dir = Files.createTempDirectory("vitra-replay");
        try {
            PassReport report;
            try (AuditStore store = AuditStore.openH2(dir.resolve("replay"))) {
                // A pending op is never late here: the deadline is the proof's business, not the replay's.
                report = new Auditor(store, engine, settings.withPendingDeadline(java.time.Duration.ofDays(36500)),
                        Clock.systemUTC()).pass(target, progress);
                return judge(proof, report, store);
            }
        } finally {
            dev.vitra.watchdog.util.FileTrees.delete(dir);
        }
    }

    private static Result judge(FraudProof.Breach proof, PassReport report, AuditStore store) {
        long at = proof.at();
        Optional<Rows.Finding> fraud = report.openFindings().stream().filter(f -> f.kind().equals("fraud")).findFirst();
        if (fraud.isPresent()) {
            Rows.Finding f = fraud.get();
            if (f.code().equals("LogFork")) {
                return new Result.CannotConfirm("the replay found a fork of log " + f.log().map(LogId::hex).orElse("?")
                        + " first: " + f.summary());
            }
            long foundAt = f.atPosition().orElse(-1);
            if (foundAt < at) {
                return new Result.CannotConfirm("the replay finds " + f.code() + " at " + foundAt + ", before the claim at "
                        + at + ": " + f.summary());
            }
            if (foundAt > at) {
                return new Result.Refuted("the replay verifies entry " + at + " and finds " + f.code() + " only at "
                        + foundAt);
            }
            Optional<FraudProof> replayed = proofOf(store, f);
            if (replayed.isEmpty() || !(replayed.get() instanceof FraudProof.Breach b)) {
                return new Result.CannotConfirm("the replay's finding at " + at + " has no proof to compare");
            }
            if (b.code() != proof.code()) {
                return new Result.Refuted("at " + at + " the replay finds " + b.code() + ", the proof claims " + proof.code()
                        + ": " + f.summary());
            }
            Optional<String> difference = difference(proof.claim(), b.claim());
            if (difference.isPresent()) {
                return new Result.Refuted("at " + at + " the replay finds " + b.code() + " too, but " + difference.get());
            }
            java.util.Set<LogId> participants = participantsEver(store);
            for (LogId named : proof.replayCheckpoints().keySet()) {
                if (!participants.contains(named)) {
                    return new Result.Refuted("the proof names a replay checkpoint of " + named.hex()
                            + ", which is not a participant of this database before " + at);
                }
            }
            return new Result.Confirmed("an audit from entry 0 of the logs up to the named checkpoints finds " + b.code()
                    + " at " + at + ", with the same claim: " + f.summary());
        }
        Optional<Rows.Finding> engineDependent = report.newFindings().stream()
                .filter(f -> f.code().equals(AvailabilityCode.EngineDependentResult.name())
                        && f.atPosition().orElse(-1) == at).findFirst();
        if (engineDependent.isPresent()) {
            return new Result.CannotConfirm("on this monitor's engine the transaction at " + at + " is engine-dependent"
                    + " (PROTOCOL §4), not a breach: " + engineDependent.get().summary());
        }
        if (report.verifiedPosition() > at) {
            return new Result.Refuted("an audit of the logs up to the named checkpoints verifies the transaction at " + at
                    + ": no breach there");
        }
        String why = report.newFindings().stream().filter(f -> !f.kind().equals("notice")).map(Rows.Finding::summary)
                .findFirst().orElse("the audit stopped at " + report.verifiedPosition());
        return new Result.CannotConfirm("the replay got as far as entry " + report.verifiedPosition() + " of " + at + ": " + why);
    }

    private static Optional<FraudProof> proofOf(AuditStore store, Rows.Finding f) {
        try (var session = store.session()) {
            Optional<byte[]> bytes = session.proof(f.id());
            if (bytes.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(ProofCodec.parse(bytes.get()));
        } catch (InvalidProofException e) {
            throw new IllegalStateException("the replay stored a proof it cannot read: " + e.getMessage(), e);
        }
    }

    /** Where the claim the replay makes differs from the proof's, in words; empty when they are the same. */
    static Optional<String> difference(FraudProof.Claim claimed, FraudProof.Claim replayed) {
        if (claimed instanceof FraudProof.Claim.Replay c && replayed instanceof FraudProof.Claim.Replay r) {
            if (!java.util.Arrays.equals(c.op().data(), r.op().data()) || !c.op().oplog().equals(r.op().oplog())
                    || c.op().seq() != r.op().seq()) {
                return Optional.of("the op differs");
            }
            if (c.contractAt() != r.contractAt() || !c.contractSha256().equals(r.contractSha256())) {
                return Optional.of("the contract in force differs (set at " + r.contractAt() + ", SHA-256 "
                        + r.contractSha256().toHex() + ")");
            }
            if (!sameOutcome(c.outcome(), r.outcome())) {
                return Optional.of("the contract's outcome differs: the replay gives "
                        + (r.outcome().success() ? r.outcome().changes() : "a failure") + ", the proof claims "
                        + (c.outcome().success() ? c.outcome().changes() : "a failure"));
            }
            return Optional.empty();
        }
        return claimed.equals(replayed) ? Optional.empty() : Optional.of("the claim differs: the replay's is " + replayed);
    }

    /**
     * Outcomes compared byte for byte: the format says the changes are exactly as {@code JSON.stringify} writes them,
     * which ECMAScript fixes (member order, number and string spelling), so no other spelling of the same values is
     * the same proof.
     */
    private static boolean sameOutcome(FraudProof.Outcome a, FraudProof.Outcome b) {
        return a.success() == b.success() && a.changes().equals(b.changes());
    }

    /** The oplogs the replay followed: every participant up to the breach. */
    private static java.util.Set<LogId> participantsEver(AuditStore store) {
        try (var session = store.session()) {
            java.util.Set<LogId> out = new java.util.HashSet<>();
            for (Rows.Database db : session.databases()) {
                for (Rows.Log log : session.logs(db.id())) {
                    if (log.role() == Rows.LogRole.OPLOG) {
                        out.add(log.logId());
                    }
                }
            }
            return out;
        }
    }
}
