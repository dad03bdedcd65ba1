package dev.vitra.watchdog.audit;

/** Waiting for data that may still arrive: never fraud, an availability finding once the deadline passes. */
public enum PendingCode {
    /** An ack refers to an op that no verified checkpoint of its oplog covers yet. */
    OpNotYetPublished,
    /** The verified index ends inside a transaction's window. */
    TransactionNotYetComplete,
    /** An ack refers to an op outside the prefix both versions of a forked oplog share. */
    BlockedByOplogFork,
    /** An active oplog has ops the executor has not processed yet. */
    OpNotYetProcessed
}
