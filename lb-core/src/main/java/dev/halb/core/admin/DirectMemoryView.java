package dev.halb.core.admin;

/**
 * The direct memory where connections buffer, in {@code GET /api/v1/status}.
 *
 * @param usedBytes         in use now
 * @param maxBytes          the cap ({@code -XX:MaxDirectMemorySize})
 * @param readsPauseAtBytes usage at which halb stops reading from the faster side of connections
 * @param jdkCleaner        whether Netty's buffers go through the JDK's allocation, each with a
 *                          {@code Cleaner}; {@code false} as a replica runs from the jar, where Netty
 *                          allocates and counts them itself, which costs less per connection
 */
public record DirectMemoryView(long usedBytes, long maxBytes, long readsPauseAtBytes, boolean jdkCleaner) {
}
