package dev.halb.core.admin;

import java.util.List;

/**
 * The last reload of the configuration file, in {@code GET /api/v1/status}.
 *
 * @param at              when it was made (ISO-8601)
 * @param result          {@code ok}, or {@code failed}: the file was refused (nothing changed) or
 *                        applied with a VIP that could not be bound; {@code detail} says which
 * @param detail          what changed, or why the file was refused
 * @param restartRequired keys that changed in the file but take effect only on restart
 */
public record ReloadView(String at, String result, String detail, List<String> restartRequired) {

    public ReloadView {
        restartRequired = List.copyOf(restartRequired);
    }
}
