package dev.vitra.watchdog.tileclient;

/** Told how each resource fetch ended: after its last attempt, "ok" or the {@link FetchException.Kind}; "retry" per retry. */
@FunctionalInterface
public interface FetchObserver {
    FetchObserver NONE = outcome -> {
    };

    void fetched(String outcome);
}
