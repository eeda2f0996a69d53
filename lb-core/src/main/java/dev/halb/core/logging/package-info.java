/**
 * Logging helpers: {@link dev.halb.core.logging.RateLimitedLog} keeps a line that a fault can
 * repeat thousands of times a second down to one per interval, with a count of what it held back.
 */
package dev.halb.core.logging;
