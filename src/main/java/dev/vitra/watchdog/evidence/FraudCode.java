package dev.vitra.watchdog.audit;

/**
 * Misbehaviour proven by signed material (PROTOCOL §5's violation codes, named after Vitra's monitor, plus
 * {@link #LogFork}). Only a {@link Finding.Fraud} carries one.
 */
public enum FraudCode {
    UnexpectedPathError, InvalidSchemaError, NoGenesisInputsDeclaredError, ChangeNotProducedByMonitorError,
    NonParticipantError, ProcessedOutOfOrderError, MonitorApplyFailedError, ExecutorApplyFailedError,
    ChangeMismatchError, ChangeNotProducedByExecutorError,
    /** Two validly signed checkpoints of one log that cannot both be true (PROTOCOL §1, §6). */
    LogFork
}
