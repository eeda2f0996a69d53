package dev.halb.core.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The admin API's responses. Every error, whichever handler sends it (the router, the body
 * aggregator, the request timeout), has one shape: {@code {"error": code, "message": text}},
 * where the code is the status's reason in snake case ({@code not_found},
 * {@code http_version_not_supported}) for scripts, and the message says in plain words what was
 * wrong, for people. A message never carries an exception: its class name means nothing to an
 * operator and tells a prober which library parses the request.
 */
final class AdminResponses {

    static final String JSON_TYPE = "application/json";
    static final String HTML_TYPE = "text/html; charset=utf-8";

    /**
     * After an error sent before the request was read to its end (a body too large, a header
     * too long): stop sending, but go on reading and dropping what the client still sends until
     * it closes. Closing at once, with its bytes unread, would make the kernel answer them with
     * a reset, which can destroy the error before the client reads it. The connection's clocks
     * ({@link AdminTimeouts}) bound the wait.
     */
    static final ChannelFutureListener END_OUTPUT = f -> {
        Channel ch = f.channel();
        if (f.isSuccess() && ch instanceof DuplexChannel d && !d.isInputShutdown()) {
            d.shutdownOutput();
        } else {
            ch.close();
        }
    };

    private AdminResponses() {
    }

    static FullHttpResponse error(HttpResponseStatus status, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", code(status));
        body.put("message", message);
        return json(status, body);
    }

    /** An error after which the server closes the connection, saying so in its headers. */
    static FullHttpResponse closingError(HttpResponseStatus status, String message) {
        FullHttpResponse r = error(status, message);
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return r;
    }

    static String code(HttpResponseStatus status) {
        return status.reasonPhrase().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
    }

    static FullHttpResponse json(HttpResponseStatus status, Object body) {
        byte[] bytes;
        try {
            bytes = AdminServer.JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render " + body.getClass().getSimpleName(), e);
        }
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, JSON_TYPE);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        return r;
    }

    static FullHttpResponse text(String body, String contentType) {
        ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, content);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        return r;
    }
}
