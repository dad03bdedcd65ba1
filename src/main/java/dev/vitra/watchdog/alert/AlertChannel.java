package dev.vitra.watchdog.alert;

/** A place alerts are delivered to (email, a webhook, Alertmanager). Called from one sender thread at a time. */
public interface AlertChannel extends AutoCloseable {
    String name();

    /**
     * Delivers one alert; returns once the channel accepted it (what it answered, for the attempt's record), or throws
     * with why it did not.
     */
    String deliver(AlertContent content) throws DeliveryException;

    @Override
    default void close() {
    }

    /** The channel did not accept an alert (refused, unreachable, timed out): it is tried again later. */
    final class DeliveryException extends Exception {
        public DeliveryException(String message) {
            super(message);
        }

        public DeliveryException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
