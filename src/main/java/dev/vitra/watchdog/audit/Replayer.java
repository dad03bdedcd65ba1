package dev.vitra.watchdog.audit;

import dev.vitra.watchdog.contract.Ack;
import dev.vitra.watchdog.contract.ApplyOutcome;
import dev.vitra.watchdog.contract.Contract;
import dev.vitra.watchdog.contract.ContractEngine;
import dev.vitra.watchdog.contract.ContractLoadException;
import dev.vitra.watchdog.contract.IndexView;

/**
 * Runs ops through the contract: on a pooled context for speed, on a brand-new one to confirm (PROTOCOL §4: only
 * the fresh-instance outcome is correct). A contract the engine refuses to load (our size limit) is Aborted.
 */
final class Replayer {
    private final ContractEngine engine;
    private String loadedSource;
    private Contract loaded;
    private String loadError;

    Replayer(ContractEngine engine) {
        this.engine = engine;
    }

    /** The most changes one replayed transaction may produce (the engine's limit). */
    int maxChanges() {
        return engine.limits().maxChanges();
    }

    ApplyOutcome apply(String source, IndexView state, String op, Ack ack) {
        Contract contract = contract(source);
        return contract == null ? aborted() : engine.apply(contract, state, op, ack);
    }

    ApplyOutcome applyFresh(String source, IndexView state, String op, Ack ack) {
        Contract contract = contract(source);
        return contract == null ? aborted() : engine.applyFresh(contract, state, op, ack);
    }

    private ApplyOutcome aborted() {
        return new ApplyOutcome.Aborted(dev.vitra.watchdog.contract.AbortReason.INTERNAL,
                "the contract cannot be loaded by this monitor: " + loadError);
    }

    private Contract contract(String source) {
        // The state machine hands the same String until the source changes, so this is usually an identity check.
        if (!source.equals(loadedSource)) {
            loadedSource = source;
            try {
                loaded = engine.load(source);
                loadError = null;
            } catch (ContractLoadException e) {
                loaded = null;
                loadError = e.getMessage();
            }
        }
        return loaded;
    }
}
