package dev.halb.core.admin;

import static dev.halb.core.admin.AdminResponses.error;
import static dev.halb.core.admin.AdminResponses.json;
import static dev.halb.core.admin.AdminResponses.text;

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
import io.netty.handler.codec.http.InvalidChunkExtensionException;
import io.netty.handler.codec.http.InvalidChunkTerminationException;
import io.netty.handler.codec.http.InvalidLineSeparatorException;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
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
    /** The request Netty's decoder stands in for one whose first line it could not read. */
    private static final String BAD_REQUEST_PLACEHOLDER = "/bad-request";

    private final AdminModel model;
    private final byte[] token;

    AdminHandler(AdminModel model, String token) {
        this.model = model;
        this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!ctx.channel().isActive()) {
            // The decoder hands on a half-read request as a failed one when the connection
            // closes (a timeout, or the client left): there is nobody to answer.
            return;
        }
        if (!ctx.channel().isWritable()) {
            // Over a MiB of earlier answers waits unsent (AdminServer.UNREAD_ANSWERS): the client
            // pipelines requests and does not read. Answering on would queue responses in
            // memory without bound. A client that reads its answers before it asks again
            // never gets here: by then nothing waits.
            log.debug("admin connection {}: answers not read, closing", ctx.channel());
            ctx.close();
            return;
        }
        FullHttpResponse response;
        ChannelFutureListener then; // after the response: null = keep the connection
        if (!request.decoderResult().isSuccess()) {
            Throwable cause = request.decoderResult().cause();
            log.debug("admin connection {}: malformed request: {}", ctx.channel(), String.valueOf(cause));
            response = error(HttpResponseStatus.BAD_REQUEST, malformed(request, cause));
            // The client may still be sending the rest of what the decoder gave up on.
            then = AdminResponses.END_OUTPUT;
        } else if (!HttpVersion.HTTP_1_1.equals(request.protocolVersion())
                && !HttpVersion.HTTP_1_0.equals(request.protocolVersion())) {
            // Netty parses any NAME/major.minor as a version; answering HTTP/2.0 or HTTP/9.9 as
            // if it were 1.1 would claim a protocol we do not speak.
            response = error(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED,
                    request.protocolVersion().text() + " is not supported (expected: HTTP/1.0 or HTTP/1.1)");
            then = ChannelFutureListener.CLOSE;
        } else {
            try {
                response = route(request);
            } catch (RuntimeException e) {
                log.warn("admin request {} {} failed", request.method(), request.uri(), e);
                response = error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error answering "
                        + request.method() + " " + new QueryStringDecoder(request.uri()).path()
                        + "; the replica's log has the details");
            }
            then = HttpUtil.isKeepAlive(request) ? null : ChannelFutureListener.CLOSE;
        }
        HttpUtil.setKeepAlive(response, then == null);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        if (then == null) {
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(then);
        }
    }

    /**
     * What was wrong with a request the decoder could not read, in plain words. The decoder
     * reports it as an exception; its type says what failed, its text is the library's.
     */
    static String malformed(FullHttpRequest request, Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            return "malformed request: request line too long (expected: at most "
                    + AdminServer.MAX_REQUEST_LINE_BYTES + " bytes)";
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return "malformed request: header too long (expected: at most "
                    + AdminServer.MAX_HEADER_BYTES + " bytes of headers)";
        }
        if (cause instanceof InvalidLineSeparatorException) {
            return "malformed request: a line ends without CRLF";
        }
        // A request whose first line could not be read reaches us as the decoder's placeholder
        // (GET /bad-request); one that failed later keeps its own method and path.
        if (BAD_REQUEST_PLACEHOLDER.equals(request.uri())) {
            return "malformed request line (expected: METHOD /path HTTP/1.1)";
        }
        if (cause instanceof InvalidChunkExtensionException || cause instanceof InvalidChunkTerminationException
                || cause instanceof NumberFormatException) {
            // Past the first line, the decoder throws NumberFormatException for a chunk size
            // only: a bad Content-Length is an IllegalArgumentException, an invalid header.
            return "malformed request: invalid chunked body";
        }
        return "malformed request: invalid header (expected: Name: value lines, one numeric Content-Length,"
                + " not both Content-Length and Transfer-Encoding)";
    }

    private FullHttpResponse route(FullHttpRequest request) {
        String path = new QueryStringDecoder(request.uri()).path();
        HttpMethod method = request.method();
        switch (path) {
            case "/":
                return get(method, () -> text(StatusPage.render(AdminServer.JSON.valueToTree(model.status()),
                        AdminServer.JSON.valueToTree(model.vips()), AdminServer.JSON.valueToTree(model.replicas()),
                        model.metrics()), AdminResponses.HTML_TYPE));
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

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("admin connection {}: {}", ctx.channel(), cause.toString());
        ctx.close();
    }
}
