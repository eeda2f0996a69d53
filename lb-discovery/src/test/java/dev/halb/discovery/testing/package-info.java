/**
 * Test fixtures shared by lb-discovery's and lb-core's tests (lb-discovery's test jar): a real
 * ZooKeeper server per test and the payload class of a service that knows nothing of halb.
 */
package dev.halb.discovery.testing;
