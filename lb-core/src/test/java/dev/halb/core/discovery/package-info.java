/**
 * End-to-end tests of ZooKeeper discovery through a running replica (real ZooKeeper from
 * curator-test, real sockets on loopback): Curator interop, static stability through a whole
 * ensemble outage, the replica registry, dynamic VIPs, rejected registrations and
 * {@code connect: embedded}.
 */
package dev.halb.core.discovery;
