/**
 * This process's own limits: {@link dev.halb.core.system.LocalErrors} tells a shortage of file
 * descriptors, socket buffers, memory or local ports from a failure of the peer, so that the
 * replica never blames a backend for its own exhaustion.
 */
package dev.halb.core.system;
