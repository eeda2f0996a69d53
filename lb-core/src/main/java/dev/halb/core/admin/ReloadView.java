package dev.halb.core.admin;

import java.util.List;

/**
 * The last reload of the configuration file, in {@code GET /api/v1/status}.
 *
 * @param at              when it was made (ISO-8601)
 * @param result          {@code success}, {@code invalid} (the file was refused; nothing changed) or
 *                        {@code error} (applied, but a VIP could not be bound or something failed)
 * @param detail          what changed, or why the file was refused
 * @param restartRequired keys that changed in the file but take effect only on restart
 */
public record ReloadView(String at, String result, String detail, List<String> restartRequired) {

    public ReloadView {
        restartRequired = List.copyOf(restartRequired);
    }
}
