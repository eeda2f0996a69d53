/**
 * Choosing a backend for a new client connection. A {@link dev.halb.core.balance.VipSelector}
 * holds one immutable {@link dev.halb.core.balance.Picker}, rebuilt off the hot path whenever the
 * candidates change and published through one {@code volatile}, so a pick is a field read plus
 * arithmetic. {@link dev.halb.core.balance.Endpoint} is a backend with its live connection count.
 * This package knows nothing of health checking: it is told which endpoints are candidates.
 */
package dev.halb.core.balance;
