package dev.halb.core.cli;

import dev.halb.core.config.ConfigException;
import dev.halb.core.config.ConfigLoader;
import dev.halb.core.config.HalbConfig;
import java.io.PrintWriter;
import java.nio.file.Path;

/** Loading a configuration file for a command, with the message an operator needs when it is wrong. */
final class ConfigFiles {

    private ConfigFiles() {
    }

    /** The configuration, or {@code null} after printing why it is invalid. */
    static HalbConfig load(Path file, PrintWriter err) {
        try {
            return ConfigLoader.withSystemEnv().load(file);
        } catch (ConfigException e) {
            err.println("halb: invalid configuration " + describe(file, e));
            err.flush();
            return null;
        }
    }

    /** The error with the file named once: {@code FILE: key.path: value (expected: ...)}. */
    static String describe(Path file, ConfigException e) {
        // A whole-file problem (path "") already starts with the file name; a key's starts with its path.
        return (e.path().isEmpty() ? "" : file + ": ") + e.getMessage();
    }
}
