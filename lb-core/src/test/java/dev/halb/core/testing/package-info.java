/**
 * Test fixtures that run the real thing on loopback: backends ({@link dev.halb.core.testing.TestBackend}),
 * blocking clients ({@link dev.halb.core.testing.Clients}), replicas and transports.
 */
package dev.halb.core.testing;
