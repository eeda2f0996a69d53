package dev.halb.core.replica;

/** A replica could not start; the message says what and where (exit code 1). */
public final class StartupException extends Exception {

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
