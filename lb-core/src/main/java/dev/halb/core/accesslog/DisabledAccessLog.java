package dev.halb.core.accesslog;

/** {@code accessLog.format: off}: nothing is kept, formatted or written. */
enum DisabledAccessLog implements AccessLog {
    INSTANCE;

    @Override
    public boolean enabled() {
        return false;
    }

    @Override
    public void log(AccessRecord record) {
    }

    @Override
    public void reopen() {
    }

    @Override
    public long dropped() {
        return 0;
    }

    @Override
    public void close() {
    }
}
