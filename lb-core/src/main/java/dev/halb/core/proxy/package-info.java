/**
 * Moving bytes. One {@link dev.halb.core.proxy.VipListener} per VIP accepts clients; a
 * {@code FrontendHandler} per client picks a backend, connects to it on the client's own event
 * loop (retrying on another backend after a failed connect) and then relays; a
 * {@code BackendHandler} relays the other way. Both relay halves share {@code RelayHandler}:
 * write in {@code channelRead}, flush in {@code channelReadComplete}, pause the reading side
 * while the writing side is not writable, pass a FIN on as {@code shutdownOutput}, and close the
 * other side when one side closes. {@link dev.halb.core.proxy.Transport} picks io_uring, epoll
 * or NIO.
 */
package dev.halb.core.proxy;
