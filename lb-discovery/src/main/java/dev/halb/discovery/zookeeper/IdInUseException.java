package dev.halb.discovery.zookeeper;

/**
 * An id that another live process holds in ZooKeeper: a replica id under {@code <root>/replicas},
 * an instance id under {@code <root>/services/<service>}. Its message names the node and the
 * holder (address and start time, from the holder's node), for an operator to find the other one.
 */
public final class IdInUseException extends Exception {

    private final String path;
    private final String holder;

    IdInUseException(String path, String holder) {
        super(path + " is held by another live process (" + holder + ")", null, false, false);
        this.path = path;
        this.holder = holder;
    }

    /** The node, e.g. {@code /halb/replicas/r1}. */
    public String path() {
        return path;
    }

    /** The holder as its node describes it, e.g. {@code address 10.0.0.5, admin 10.0.0.5:9990, started ...}. */
    public String holder() {
        return holder;
    }
}
