package dev.vitra.watchdog.store;

/**
 * Told of every finding a session records or resolves, inside that session's transaction: whatever it writes through
 * the session (alerts in the outbox) commits or rolls back together with the finding.
 */
public interface FindingListener {
    FindingListener NONE = new FindingListener() {
        @Override
        public void recorded(StoreSession session, Rows.Finding finding, long now) {
        }

        @Override
        public void resolved(StoreSession session, Rows.Finding finding, long now) {
        }
    };

    void recorded(StoreSession session, Rows.Finding finding, long now);

    void resolved(StoreSession session, Rows.Finding finding, long now);
}
