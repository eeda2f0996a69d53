package dev.halb.core.peers;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * One probe of a peer: {@code GET /health} with {@code Connection: close} on a new connection,
 * judged by its status line alone: 2xx passes, 503 is draining, anything else (refused, reset,
 * no status line within the timeout, which covers connect, request and response together) fails.
 * Runs on one event loop and completes exactly once, then closes its channel.
 */
final class HealthProbe extends SimpleChannelInboundHandler<HttpObject> implements ChannelFutureListener, Runnable {

    static final String PATH = "/health";
    static final String USER_AGENT = "halb-peer-probe";

    private final BiConsumer<PeerTracker.Outcome, String> done;
    private final String host;
    private ScheduledFuture<?> timeout;
    private Channel channel;
    private boolean finished;

    private HealthProbe(String host, BiConsumer<PeerTracker.Outcome, String> done) {
        this.host = host;
        this.done = done;
    }

    /** Probes {@code target}; {@code done} is called once, on the template's event loop. */
    static void start(Bootstrap template, InetSocketAddress target, long timeoutMs,
                      BiConsumer<PeerTracker.Outcome, String> done) {
        HealthProbe probe = new HealthProbe(target.getHostString() + ":" + target.getPort(), done);
        Bootstrap b = template.clone().handler(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new HttpClientCodec(), probe);
            }
        });
        try {
            probe.timeout = b.config().group().schedule(probe, timeoutMs, TimeUnit.MILLISECONDS);
            ChannelFuture f = b.connect(target);
            probe.channel = f.channel();
            f.addListener(probe);
        } catch (RuntimeException e) {
            probe.finish(PeerTracker.Outcome.FAIL, "cannot start probe: " + e.getMessage());
        }
    }

    /** The whole-probe timeout. */
    @Override
    public void run() {
        finish(PeerTracker.Outcome.FAIL, "no answer in time");
    }

    @Override
    public void operationComplete(ChannelFuture f) {
        if (!f.isSuccess()) {
            finish(PeerTracker.Outcome.FAIL, describe(f.cause()));
            return;
        }
        DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, PATH,
                Unpooled.EMPTY_BUFFER);
        request.headers()
                .set(HttpHeaderNames.HOST, host)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                .set(HttpHeaderNames.USER_AGENT, USER_AGENT);
        f.channel().writeAndFlush(request).addListener(w -> {
            if (!w.isSuccess()) {
                finish(PeerTracker.Outcome.FAIL, "cannot send request: " + describe(w.cause()));
            }
        });
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
        if (msg.decoderResult().isFailure()) {
            finish(PeerTracker.Outcome.FAIL, "malformed response");
        } else if (msg instanceof HttpResponse response) {
            int code = response.status().code();
            if (code >= 200 && code < 300) {
                finish(PeerTracker.Outcome.PASS, "HTTP " + code);
            } else if (code == HttpResponseStatus.SERVICE_UNAVAILABLE.code()) {
                finish(PeerTracker.Outcome.DRAINING, "HTTP 503");
            } else {
                finish(PeerTracker.Outcome.FAIL, "HTTP " + code);
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        finish(PeerTracker.Outcome.FAIL, "connection closed before a response");
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        finish(PeerTracker.Outcome.FAIL, describe(cause));
    }

    private void finish(PeerTracker.Outcome outcome, String detail) {
        if (finished) {
            return;
        }
        finished = true;
        if (timeout != null) {
            timeout.cancel(false);
        }
        if (channel != null && channel.isRegistered()) {
            channel.close();
        }
        done.accept(outcome, detail);
    }

    private static String describe(Throwable cause) {
        if (cause instanceof io.netty.channel.ConnectTimeoutException) {
            return "connect timed out";
        }
        if (cause instanceof java.net.ConnectException) {
            return "connection refused";
        }
        if (cause == null) {
            return "failed";
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }
}
