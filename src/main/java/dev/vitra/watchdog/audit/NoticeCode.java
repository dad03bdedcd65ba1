package dev.vitra.watchdog.audit;

/** Governance events in a verified transaction: not faults, but worth telling the people who rely on the database. */
public enum NoticeCode {
    ContractSourceChanged, ParticipantAdded, ParticipantRemoved
}
