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
            // A whole-file problem (path "") already starts with the file name; a key's starts with its path.
            String where = e.path().isEmpty() ? "" : file + ": ";
            err.println("halb: invalid configuration " + where + e.getMessage());
            err.flush();
            return null;
        }
    }
}
