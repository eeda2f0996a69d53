/**
 * What backends a VIP has and which of them may get new connections, as a pipeline of small
 * pure steps ({@link dev.halb.core.membership.Membership}): merge the VIP's own static backends
 * with the discovered ones, resolve host names, keep discovered backends inside the allowed
 * networks, reuse endpoints (and so their live connection counts) by id, and pick the candidates
 * (enabled, not drained, healthy). The VIP runtime runs the steps when a snapshot, a name or a
 * health result changes, and logs and counts what they leave out; each step is tested alone.
 */
package dev.halb.core.membership;
