/**
 * JMH benchmarks of halb's hot paths: backend selection per strategy and size, relay throughput
 * and connection rate through an in-process replica on loopback. Run them with
 * {@code java -jar lb-bench/target/benchmarks.jar} (see each class for its own command line, and
 * the README for a short and a full run).
 */
package dev.halb.bench;
