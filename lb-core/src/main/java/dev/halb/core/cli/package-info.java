/**
 * The command line, on picocli: {@code run}, {@code check}, {@code register}
 * and {@code demo}. Exit codes: 0 normal, 2 usage or invalid configuration, 1 runtime failure;
 * an operator mistake is a one-line message, never a stack trace.
 */
package dev.halb.core.cli;
