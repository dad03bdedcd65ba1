package dev.vitra.watchdog.contract;

/** A contract the engine refuses before running it (too large). */
public final class ContractLoadException extends Exception {
    public ContractLoadException(String message) {
        super(message);
    }
}
