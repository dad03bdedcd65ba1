package dev.vitra.watchdog.audit;

import dev.vitra.watchdog.contract.ContractEngine;
import dev.vitra.watchdog.store.AuditStore;
import dev.vitra.watchdog.store.StoreSession;
import java.time.Clock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The audit engine's entry point: runs passes over databases, each resuming from what the store holds. One
 * contract engine serves every pass; a database must not be audited by two passes at once (the H2 file lock
 * guarantees it for the command line; the scheduler for the service).
 */
public final class Auditor {
    private final AuditStore store;
    private final ContractEngine engine;
    private final AuditSettings settings;
    private final Clock clock;

    public Auditor(AuditStore store, ContractEngine engine, AuditSettings settings, Clock clock) {
        this.store = store;
        this.engine = engine;
        this.settings = settings;
        this.clock = clock;
    }

    /** One pass over {@code target}; progress lines go to {@code progress}. */
    public PassReport pass(AuditTarget target, Consumer<String> progress) throws InterruptedException {
        return pass(target, progress, () -> false);
    }

    /**
     * One pass that stops early, after committing, at the first chunk boundary where {@code stopRequested} is true
     * (a graceful shutdown): its report says so in its notes and its verdict is at best PENDING.
     */
    public PassReport pass(AuditTarget target, Consumer<String> progress, BooleanSupplier stopRequested)
            throws InterruptedException {
        AutoCloseable lease = store.lease(target.index()).orElseThrow(() -> new DatabaseBusyException(target.index()));
        try (StoreSession session = store.session()) {
            return new AuditPass(session, new Replayer(engine), settings, clock, target, progress, stopRequested).run();
        } finally {
            try {
                lease.close();
            } catch (Exception e) {
                throw new IllegalStateException("releasing the lease of " + target.index().hex(), e);
            }
        }
    }

    /** Another pass over the same database is running in this process: this one did not start. */
    public static final class DatabaseBusyException extends RuntimeException {
        public DatabaseBusyException(dev.vitra.watchdog.note.LogId index) {
            super("a pass over database " + index.hex() + " is already running");
        }
    }

    public AuditSettings settings() {
        return settings;
    }
}
