package dev.halb.core.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.dns.DefaultDnsQuery;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.handler.codec.dns.TcpDnsQueryEncoder;
import io.netty.handler.codec.dns.TcpDnsResponseDecoder;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.NoopDnsCache;
import io.netty.resolver.dns.SingletonDnsServerAddressStreamProvider;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A DNS client that halb did not write, asking one server: over UDP, Netty's
 * {@link DnsNameResolver} without a cache, so that every call is a query on the wire; over TCP
 * (which that resolver uses only after a truncated answer), a connection per query through
 * Netty's own {@link TcpDnsQueryEncoder} and {@link TcpDnsResponseDecoder}.
 */
public final class DnsClient implements AutoCloseable {

    /** What a query got back, copied out of the reference-counted response. */
    public record Reply(String code, boolean authoritative, boolean truncated, List<String> answers,
                        List<String> authority, List<String> additional) {
    }

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final InetSocketAddress server;
    private final DnsNameResolver resolver;
    private final AtomicInteger ids = new AtomicInteger(1);

    private DnsClient(InetSocketAddress server, boolean tcp) {
        this.server = server;
        this.resolver = tcp ? null : new DnsNameResolverBuilder(group.next())
                .nameServerProvider(new SingletonDnsServerAddressStreamProvider(server))
                .resolveCache(NoopDnsCache.INSTANCE)
                .queryTimeoutMillis(3_000)
                .maxQueriesPerResolve(1)
                .recursionDesired(false)
                .resolvedAddressTypes(ResolvedAddressTypes.IPV4_ONLY)
                .datagramChannelType(NioDatagramChannel.class)
                .socketChannelType(NioSocketChannel.class)
                .build();
    }

    public static DnsClient udp(InetSocketAddress server) {
        return new DnsClient(server, false);
    }

    /** Queries over TCP only (no datagram channel at all). */
    public static DnsClient tcp(InetSocketAddress server) {
        return new DnsClient(server, true);
    }

    /** The addresses {@code name} resolves to, in the order of the answer. */
    public List<String> resolve(String name) throws Exception {
        if (resolver == null) {
            List<String> out = new ArrayList<>();
            Reply r = query(name.endsWith(".") ? name : name + ".", DnsRecordType.A);
            if (!r.code().startsWith("NOERROR")) {
                throw new java.net.UnknownHostException(name + ": " + r.code());
            }
            r.answers().forEach(a -> out.add(a.substring(2)));
            return out;
        }
        List<String> out = new ArrayList<>();
        for (InetAddress a : resolver.resolveAll(name).get(10, TimeUnit.SECONDS)) {
            out.add(a.getHostAddress());
        }
        return out;
    }

    public Reply query(String name, DnsRecordType type) throws Exception {
        if (resolver == null) {
            return queryTcp(name, type);
        }
        AddressedEnvelope<DnsResponse, InetSocketAddress> envelope = resolver.query(new DefaultDnsQuestion(name, type))
                .get(10, TimeUnit.SECONDS);
        try {
            DnsResponse r = envelope.content();
            return new Reply(r.code().toString().toUpperCase(java.util.Locale.ROOT), r.isAuthoritativeAnswer(), r.isTruncated(),
                    records(r, DnsSection.ANSWER), records(r, DnsSection.AUTHORITY), records(r, DnsSection.ADDITIONAL));
        } finally {
            envelope.release();
        }
    }

    private Reply queryTcp(String name, DnsRecordType type) throws Exception {
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel c) {
                        c.pipeline().addLast(new TcpDnsQueryEncoder(), new TcpDnsResponseDecoder(),
                                new SimpleChannelInboundHandler<DnsResponse>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, DnsResponse r) {
                                        reply.complete(new Reply(r.code().toString().toUpperCase(java.util.Locale.ROOT), r.isAuthoritativeAnswer(),
                                                r.isTruncated(), records(r, DnsSection.ANSWER),
                                                records(r, DnsSection.AUTHORITY), records(r, DnsSection.ADDITIONAL)));
                                        ctx.close();
                                    }

                                    @Override
                                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                        reply.completeExceptionally(cause);
                                        ctx.close();
                                    }
                                });
                    }
                })
                .connect(server).sync().channel();
        try {
            DefaultDnsQuery q = new DefaultDnsQuery(ids.getAndIncrement() & 0xffff);
            q.addRecord(DnsSection.QUESTION, new DefaultDnsQuestion(name, type));
            ch.writeAndFlush(q);
            return reply.get(10, TimeUnit.SECONDS);
        } finally {
            ch.close();
        }
    }

    /** Records as text: {@code TYPE data}, with A/AAAA as addresses and SRV as {@code priority weight port target}. */
    private static List<String> records(DnsResponse r, DnsSection section) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < r.count(section); i++) {
            DnsRecord rec = r.recordAt(section, i);
            if (!(rec instanceof DnsRawRecord raw)) {
                out.add(rec.type().name());
                continue;
            }
            byte[] data = ByteBufUtil.getBytes(raw.content());
            if (rec.type() == DnsRecordType.A || rec.type() == DnsRecordType.AAAA) {
                out.add(rec.type().name() + " " + NetUtil.bytesToIpAddress(data));
            } else if (rec.type() == DnsRecordType.SRV) {
                int priority = (data[0] & 0xff) << 8 | data[1] & 0xff;
                int weight = (data[2] & 0xff) << 8 | data[3] & 0xff;
                int port = (data[4] & 0xff) << 8 | data[5] & 0xff;
                out.add("SRV " + priority + " " + weight + " " + port + " " + name(data, 6));
            } else if (rec.type() == DnsRecordType.NS) {
                out.add("NS " + name(data, 0));
            } else {
                out.add(rec.type().name());
            }
        }
        return out;
    }

    /** An uncompressed name in wire format (halb does not compress; Netty's decoder leaves rdata as is). */
    private static String name(byte[] data, int at) {
        StringBuilder sb = new StringBuilder();
        int i = at;
        while (i < data.length && data[i] != 0) {
            int len = data[i] & 0xff;
            sb.append(new String(data, i + 1, len, StandardCharsets.US_ASCII)).append('.');
            i += len + 1;
        }
        return sb.toString();
    }

    @Override
    public void close() {
        if (resolver != null) {
            resolver.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
