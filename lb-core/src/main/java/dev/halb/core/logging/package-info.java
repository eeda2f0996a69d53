/**
 * Logging: {@link dev.halb.core.logging.LogSetup} sets Logback up in code (stderr, the root level
 * from {@code HALB_LOG_LEVEL}, ZooKeeper and Curator held back) unless the operator names a file
 * of their own; {@link dev.halb.core.logging.RateLimitedLog} keeps a line that a fault can repeat
 * thousands of times a second down to one per interval, with a count of what it held back.
 */
package dev.halb.core.logging;
