package dev.halb.core.balance;

/**
 * An immutable choice over a fixed list of candidate endpoints. Built once per candidate change;
 * {@link #pick} must not allocate or lock.
 */
public interface Picker {

    /**
     * Picks a candidate for a client.
     *
     * @param clientHash a stable hash of the client's IP address (used by consistent hashing)
     * @return a candidate, or {@code null} when there is none
     */
    Endpoint pick(long clientHash);

    /** The candidates this picker chooses from, in a stable order. */
    Endpoint[] candidates();

    /** A picker with no candidates. */
    static Picker empty() {
        return EmptyPicker.INSTANCE;
    }
}
