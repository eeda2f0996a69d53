package dev.halb.core.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Routes admin requests. Stateless, so one instance serves every connection. */
@ChannelHandler.Sharable
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);
    private static final String JSON_TYPE = "application/json";

    private final AdminModel model;
    private final byte[] token;

    AdminHandler(AdminModel model, String token) {
        this.model = model;
        this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        FullHttpResponse response;
        try {
            response = route(request);
        } catch (RuntimeException e) {
            log.warn("admin request {} {} failed", request.method(), request.uri(), e);
            response = error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error: " + e);
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request) && request.decoderResult().isSuccess();
        HttpUtil.setKeepAlive(response, keepAlive);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        if (keepAlive) {
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private FullHttpResponse route(FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            return error(HttpResponseStatus.BAD_REQUEST, "malformed request: " + request.decoderResult().cause());
        }
        String path = new QueryStringDecoder(request.uri()).path();
        HttpMethod method = request.method();
        switch (path) {
            case "/health":
                return get(method, () -> model.draining()
                        ? json(HttpResponseStatus.SERVICE_UNAVAILABLE, Map.of("status", "draining"))
                        : json(HttpResponseStatus.OK, Map.of("status", "serving")));
            case "/ready":
                return get(method, () -> {
                    List<String> unbound = model.unboundVips();
                    if (unbound.isEmpty() && !model.draining()) {
                        return json(HttpResponseStatus.OK, Map.of("status", "ready"));
                    }
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("status", model.draining() ? "draining" : "not ready");
                    body.put("unboundVips", unbound);
                    return json(HttpResponseStatus.SERVICE_UNAVAILABLE, body);
                });
            case "/metrics":
                return get(method, () -> text(model.metrics(), model.metricsContentType()));
            case "/api/v1/status":
                return get(method, () -> json(HttpResponseStatus.OK, model.status()));
            case "/api/v1/vips":
                return get(method, () -> json(HttpResponseStatus.OK, model.vips()));
            case "/api/v1/replicas":
                return get(method, () -> json(HttpResponseStatus.OK, model.replicas()));
            default:
                return routeBackendAction(request, path);
        }
    }

    /** {@code POST /api/v1/vips/{vip}/backends/{id}/drain} and {@code .../undrain}. */
    private FullHttpResponse routeBackendAction(FullHttpRequest request, String path) {
        String prefix = "/api/v1/vips/";
        if (!path.startsWith(prefix)) {
            return notFound(path);
        }
        String[] parts = path.substring(prefix.length()).split("/", -1);
        if (parts.length != 4 || !"backends".equals(parts[1])
                || !("drain".equals(parts[3]) || "undrain".equals(parts[3]))
                || parts[0].isEmpty() || parts[2].isEmpty()) {
            return notFound(path);
        }
        if (!HttpMethod.POST.equals(request.method())) {
            return methodNotAllowed("POST");
        }
        if (token.length == 0) {
            return error(HttpResponseStatus.FORBIDDEN, "POST endpoints are disabled: admin.token is not set");
        }
        String auth = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return unauthorized("missing bearer token (expected: Authorization: Bearer <admin.token>)");
        }
        byte[] presented = auth.substring(7).strip().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(presented, token)) {
            return unauthorized("wrong bearer token");
        }
        String vip = decode(parts[0]);
        String backend = decode(parts[2]);
        AdminModel.DrainOutcome outcome = model.setDrained(vip, backend, "drain".equals(parts[3]));
        return switch (outcome) {
            case DONE -> new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
            case UNKNOWN_VIP -> error(HttpResponseStatus.NOT_FOUND, "unknown VIP '" + vip + "'");
            case UNKNOWN_BACKEND -> error(HttpResponseStatus.NOT_FOUND,
                    "unknown backend '" + backend + "' of VIP '" + vip + "'");
        };
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private interface Answer {
        FullHttpResponse get();
    }

    private static FullHttpResponse get(HttpMethod method, Answer answer) {
        if (HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method)) {
            return answer.get();
        }
        return methodNotAllowed("GET, HEAD");
    }

    private static FullHttpResponse notFound(String path) {
        return error(HttpResponseStatus.NOT_FOUND, "no such path: " + path);
    }

    private static FullHttpResponse methodNotAllowed(String allow) {
        FullHttpResponse r = error(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed (expected: " + allow + ")");
        r.headers().set(HttpHeaderNames.ALLOW, allow);
        return r;
    }

    private static FullHttpResponse unauthorized(String message) {
        FullHttpResponse r = error(HttpResponseStatus.UNAUTHORIZED, message);
        r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"halb\"");
        return r;
    }

    private static FullHttpResponse error(HttpResponseStatus status, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", status.reasonPhrase());
        body.put("message", message);
        return json(status, body);
    }

    private static FullHttpResponse json(HttpResponseStatus status, Object body) {
        byte[] bytes;
        try {
            bytes = AdminServer.JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render " + body.getClass().getSimpleName(), e);
        }
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, JSON_TYPE);
        return r;
    }

    private static FullHttpResponse text(String body, String contentType) {
        ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, content);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        return r;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("admin connection {}: {}", ctx.channel(), cause.toString());
        ctx.close();
    }
}
