/**
 * Named VIPs over DNS: each replica answers UDP and TCP queries authoritatively for its domain
 * ({@code <vip>.<domain>} A/AAAA, {@code _<vip>._tcp.<domain>} SRV, the apex's SOA and NS,
 * {@code <replicaId>.replicas.<domain>}), and refuses every other name: it is not a recursive
 * resolver.
 *
 * <p>Three layers: {@link dev.halb.core.dns.DnsView} is the immutable snapshot of who serves
 * what, rebuilt by the replica when the registry, the peer states or its own VIPs change;
 * {@code DnsAnswers} turns one question and a view into records (pure, tested without a socket);
 * {@link dev.halb.core.dns.DnsResponder} reads queries off UDP and TCP on an event loop group of
 * its own, never the proxy's, so a flood of queries or garbage slows nothing else.
 */
package dev.halb.core.dns;
