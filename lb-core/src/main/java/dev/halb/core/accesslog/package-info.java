/**
 * The access log: one record per client connection when it ends, and one per refused client,
 * formatted and written by one writer thread behind a bounded queue, so that the event loops that
 * hand records in never wait. The proxy builds a record; this package owns its formats, its file
 * and what happens when the writer falls behind (the record is dropped and counted).
 */
package dev.halb.core.accesslog;
