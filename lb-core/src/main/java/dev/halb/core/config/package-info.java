/**
 * Configuration: the schema and its loader.
 *
 * <p>The immutable records ({@link dev.halb.core.config.HalbConfig} and what it holds) are the
 * schema: their components are the configuration keys, their compact constructors check every
 * value and throw an {@link java.lang.IllegalArgumentException} naming the key, the value and what
 * was expected, and their {@code withDefaults} factories (or, for records of references only, the
 * compact constructors) say what an absent key means. {@link dev.halb.core.config.ConfigLoader}
 * reads YAML (or a ZooKeeper VIP node's JSON), substitutes {@code ${ENV}} references and binds the
 * result onto the records with Jackson, reporting the first problem as a
 * {@link dev.halb.core.config.ConfigException} naming the key path and value.
 */
package dev.halb.core.config;
