/**
 * Configuration: immutable records for every documented configuration key and the
 * {@link dev.halb.core.config.ConfigLoader} that reads YAML (or a ZooKeeper VIP node's JSON),
 * substitutes {@code ${ENV}} references and rejects unknown keys and invalid values with a
 * {@link dev.halb.core.config.ConfigException} naming the key path and value.
 */
package dev.halb.core.config;
