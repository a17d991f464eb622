package dev.caravan.serving;

import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * The REST API on Netty: the event loop only parses and writes HTTP, each request runs on the request pool, and a
 * connection reads its next request only after answering the current one, so responses keep their order.
 */
final class RestServer implements AutoCloseable {

    private static final int MAX_BODY = 64 * 1024 * 1024;

    private final EventLoopGroup group;
    private final Channel channel;

    private RestServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    static RestServer start(String host, int port, RestApi api, ExecutorService requests) {
        EventLoopGroup group = new NioEventLoopGroup(1, ServerThreads.factory("caravan-rest-io"));
        try {
            ServerBootstrap bootstrap = new ServerBootstrap().group(group)
                    .channel(NioServerSocketChannel.class)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            channel.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(MAX_BODY),
                                    new Handler(api, requests));
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
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    @ChannelHandler.Sharable
    private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {

        private final RestApi api;
        private final ExecutorService requests;

        Handler(RestApi api, ExecutorService requests) {
            this.api = api;
            this.requests = requests;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext context, FullHttpRequest request) {
            request.retain();
            context.channel().config().setAutoRead(false);
            try {
                requests.execute(() -> answer(context, request));
            } catch (RejectedExecutionException e) {
                request.release();
                reply(context, request, HttpResponseStatus.SERVICE_UNAVAILABLE,
                        errorBody(context, "the model server is stopping"));
            }
        }

        private void answer(ChannelHandlerContext context, FullHttpRequest request) {
            ByteBuf body = context.alloc().buffer(512);
            HttpResponseStatus status;
            try (ByteBufInputStream in = new ByteBufInputStream(request.content());
                 ByteBufOutputStream out = new ByteBufOutputStream(body)) {
                String path = new QueryStringDecoder(request.uri()).path();
                status = HttpResponseStatus.valueOf(api.handle(request.method().name(), path, in, out));
            } catch (Exception e) {
                body.release();
                body = errorBody(context, "the model server failed: " + e);
                status = HttpResponseStatus.INTERNAL_SERVER_ERROR;
            } finally {
                request.release();
            }
            reply(context, request, status, body);
        }

        private static ByteBuf errorBody(ChannelHandlerContext context, String message) {
            ByteBuf body = context.alloc().buffer(256);
            try (ByteBufOutputStream out = new ByteBufOutputStream(body)) {
                RestApi.error(message, out);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return body;
        }

        // Headers stay readable after the request's content was released.
        private static void reply(ChannelHandlerContext context, FullHttpRequest request, HttpResponseStatus status,
                                  ByteBuf body) {
            FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(), status, body);
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
            if (HttpUtil.isKeepAlive(request)) {
                HttpUtil.setKeepAlive(response, true);
                context.writeAndFlush(response);
                context.channel().config().setAutoRead(true);
            } else {
                context.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }
}
