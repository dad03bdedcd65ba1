package dev.vitra.watchdog.evidence;

/**
 * Misbehaviour proven by signed material (PROTOCOL §5's violation codes, named after Vitra's monitor, plus
 * {@link #LogFork}). Only a fraud finding carries one.
 */
public enum FraudCode {
    UnexpectedPathError, InvalidSchemaError, NoGenesisInputsDeclaredError, ChangeNotProducedByMonitorError,
    NonParticipantError, ProcessedOutOfOrderError, MonitorApplyFailedError, ExecutorApplyFailedError,
    ChangeMismatchError, ChangeNotProducedByExecutorError,
    /** Two validly signed checkpoints of one log that cannot both be true (PROTOCOL §1, §6). */
    LogFork
}
