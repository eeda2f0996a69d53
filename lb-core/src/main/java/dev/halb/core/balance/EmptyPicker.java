package dev.halb.core.balance;

enum EmptyPicker implements Picker {
    INSTANCE;

    private static final Endpoint[] NONE = new Endpoint[0];

    @Override
    public Endpoint pick(long clientHash) {
        return null;
    }

    @Override
    public Endpoint[] candidates() {
        return NONE;
    }
}
