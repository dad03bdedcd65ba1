package dev.vitra.watchdog.audit;

import dev.vitra.watchdog.evidence.FraudCode;
import dev.vitra.watchdog.note.LogId;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a pass found, as a value. Four kinds, four types: a {@link Fraud} exists only with the signed material
 * that proves it; everything that could not be verified is {@link Availability}; what is waiting for data that
 * may still come is {@link Pending}; governance events are {@link Notice}s.
 */
public sealed interface Finding permits Finding.Fraud, Finding.Availability, Finding.Pending, Finding.Notice {
    /** fraud, availability, pending or notice. */
    String kind();

    /** The code, verbatim as PROTOCOL §5 and docs/audit.md name it. */
    String code();

    /** The log the finding is about (the index for transaction findings). */
    Optional<LogId> log();

    /** The index position of the transaction's ack (or of the entry, where no ack is due). */
    OptionalLong at();

    /** The entry inside the transaction, when it is not the ack. */
    OptionalLong entry();

    /** The op a finding is about, when it is about one (pending ops, censorship). */
    default OptionalLong seq() {
        return OptionalLong.empty();
    }

    /** One line a person can read. */
    String summary();

    Facts facts();

    /** Identifies the condition: while a finding with this key is open, the same condition raises no new one. */
    String dedupKey();

    /** Proven misbehaviour: by the executor, or (a forked oplog) by a participant. */
    record Fraud(FraudCode fraudCode, LogId about, OptionalLong at, OptionalLong entry, String summary, Facts facts,
            FraudEvidence evidence) implements Finding {
        public Fraud {
            if (evidence == null) {
                throw new IllegalArgumentException("a fraud finding needs its evidence");
            }
        }

        @Override
        public String kind() {
            return "fraud";
        }

        @Override
        public String code() {
            return fraudCode.name();
        }

        @Override
        public Optional<LogId> log() {
            return Optional.of(about);
        }

        @Override
        public String dedupKey() {
            return fraudCode == FraudCode.LogFork ? "LogFork:" + about.hex() : fraudCode + ":" + at.orElse(-1);
        }
    }

    /** Could not verify, or waited too long: never a claim against anyone. */
    record Availability(AvailabilityCode availabilityCode, Optional<LogId> log, OptionalLong at, OptionalLong seq,
            String summary, Facts facts) implements Finding {
        @Override
        public String kind() {
            return "availability";
        }

        @Override
        public String code() {
            return availabilityCode.name();
        }

        @Override
        public OptionalLong entry() {
            return OptionalLong.empty();
        }

        @Override
        public String dedupKey() {
            return availabilityCode + ":" + log.map(LogId::hex).orElse("-") + ":" + at.orElse(-1) + ":" + seq.orElse(-1);
        }
    }

    /** Waiting: the audit stopped (or an op waits) for data that may still arrive. */
    record Pending(PendingCode pendingCode, Optional<LogId> log, OptionalLong at, OptionalLong seq, String summary,
            Facts facts) implements Finding {
        @Override
        public String kind() {
            return "pending";
        }

        @Override
        public String code() {
            return pendingCode.name();
        }

        @Override
        public OptionalLong entry() {
            return OptionalLong.empty();
        }

        @Override
        public String dedupKey() {
            return pendingCode + ":" + log.map(LogId::hex).orElse("-") + ":" + at.orElse(-1) + ":" + seq.orElse(-1);
        }
    }

    /** A governance event in a verified transaction. */
    record Notice(NoticeCode noticeCode, LogId subject, long atPosition, String summary, Facts facts) implements Finding {
        @Override
        public String kind() {
            return "notice";
        }

        @Override
        public String code() {
            return noticeCode.name();
        }

        @Override
        public Optional<LogId> log() {
            return Optional.of(subject);
        }

        @Override
        public OptionalLong at() {
            return OptionalLong.of(atPosition);
        }

        @Override
        public OptionalLong entry() {
            return OptionalLong.empty();
        }

        @Override
        public String dedupKey() {
            return noticeCode + ":" + atPosition + ":" + subject.hex();
        }
    }
}
