package dev.caravan.serving;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpContentDecompressor;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * The REST API on Netty. The transport threads parse HTTP and JSON and queue predictions; the prediction thread
 * that runs one writes its response. A connection reads its next request only after answering the current one,
 * so responses keep their order. Bodies may be gzip or deflate compressed and are limited by {@link RestBodyLimit};
 * every refusal, of the transport's or the API's, is a JSON {@code {"error": ...}}.
 */
final class RestServer implements AutoCloseable {

    private final EventLoopGroup group;
    private final Channel channel;

    private RestServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    static RestServer start(String host, int port, int transportThreads, RestApi api) {
        EventLoopGroup group = Transports.eventLoops(transportThreads, "caravan-rest");
        try {
            ServerBootstrap bootstrap = new ServerBootstrap().group(group)
                    .channel(Transports.serverChannel())
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            channel.pipeline().addLast(new HttpServerCodec(), new HttpContentDecompressor(),
                                    new RestBodyLimit(), new Handler(api));
                        }
                    });
            return new RestServer(group, bootstrap.bind(new InetSocketAddress(host, port)).sync().channel());
        } catch (Exception e) {
            group.shutdownGracefully();
            throw new ServingException("cannot listen for REST on " + host + ":" + port + ": " + e.getMessage()
                    + "; is another model server using the port? Choose another REST port", e);
        }
    }

    int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** An answer of {@link RestApi} as an HTTP response: its status, its JSON body. */
    static FullHttpResponse httpResponse(HttpVersion version, RestApi.Response answer) {
        FullHttpResponse response = new DefaultFullHttpResponse(version, HttpResponseStatus.valueOf(answer.status()),
                Unpooled.wrappedBuffer(answer.body()));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, answer.body().length);
        if (answer.allow() != null) {
            response.headers().set(HttpHeaderNames.ALLOW, answer.allow());
        }
        if (answer.version() != null) {
            response.headers().set(RestApi.VERSION_HEADER, answer.version());
        }
        return response;
    }

    @ChannelHandler.Sharable
    private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {

        private final RestApi api;

        Handler(RestApi api) {
            this.api = api;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext context, FullHttpRequest request) {
            HttpVersion version = request.protocolVersion();
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            context.channel().config().setAutoRead(false);
            if (request.decoderResult().isFailure()) {
                reply(context, version, false, RestApi.error(400, "the HTTP request cannot be read ("
                        + request.decoderResult().cause().getMessage() + "); send an HTTP/1.1 request with a JSON body"));
                return;
            }
            String encoding = request.headers().get(HttpHeaderNames.CONTENT_ENCODING);
            if (encoding != null && !HttpHeaderValues.IDENTITY.contentEqualsIgnoreCase(encoding.trim())) {
                reply(context, version, keepAlive, RestApi.error(415, "Content-Encoding: " + encoding
                        + " is not supported; send the JSON body uncompressed or with gzip or deflate"));
                return;
            }
            String path = new QueryStringDecoder(request.uri()).path();
            try {
                api.handle(request.method().name(), path, new ByteBufInputStream(request.content()))
                        .whenComplete((response, failure) -> reply(context, version, keepAlive,
                                failure == null ? response : RestApi.error(500, "the model server failed: " + failure)));
            } catch (RuntimeException e) {
                reply(context, version, keepAlive, RestApi.error(500, "the model server failed: " + e));
            }
        }

        // A failure outside a request's own handling; the connection's state is unknown, so it is answered and closed.
        @Override
        public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
            if (cause instanceof IOException || !context.channel().isActive()) {
                context.close();
                return;
            }
            reply(context, HttpVersion.HTTP_1_1, false, RestApi.error(500, "the model server failed: " + cause));
        }

        private static void reply(ChannelHandlerContext context, HttpVersion version, boolean keepAlive,
                                  RestApi.Response answer) {
            FullHttpResponse response = httpResponse(version, answer);
            if (keepAlive) {
                HttpUtil.setKeepAlive(response, true);
                context.writeAndFlush(response);
                context.channel().config().setAutoRead(true);
            } else {
                HttpUtil.setKeepAlive(response, false);
                context.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }
}
