package dev.caravan.serving;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;

/**
 * Gathers a request body up to the REST API's limit and refuses a larger one with a JSON error, as every REST error
 * is. A declared Content-Length over the limit is refused from the headers alone, before any of the body is read,
 * and a client that sent {@code Expect: 100-continue} is refused before it sends the body.
 */
final class RestBodyLimit extends HttpObjectAggregator {

    static final int MAX_BODY = 64 * 1024 * 1024;

    RestBodyLimit() {
        super(MAX_BODY);
    }

    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        Object response = super.newContinueResponse(start, maxContentLength, pipeline);
        if (response instanceof HttpResponse refusal && refusal.status().codeClass() == HttpStatusClass.CLIENT_ERROR) {
            int status = refusal.status().code();
            ReferenceCountUtil.release(response);
            return RestServer.httpResponse(start.protocolVersion(), status == HttpResponseStatus.EXPECTATION_FAILED.code()
                    ? RestApi.error(status, "Expect: " + start.headers().get(HttpHeaderNames.EXPECT) + " is not "
                            + "supported; send the request without it, or with Expect: 100-continue")
                    : tooLarge(start));
        }
        return response;
    }

    // As Netty's own refusal: close the connection unless the client can still send its next request on it, in which
    // case the rest of this body is read and dropped, never kept.
    @Override
    protected void handleOversizedMessage(ChannelHandlerContext context, HttpMessage oversized) {
        boolean close = oversized instanceof FullHttpMessage
                || !HttpUtil.is100ContinueExpected(oversized) && !HttpUtil.isKeepAlive(oversized);
        HttpResponse response = RestServer.httpResponse(oversized.protocolVersion(), tooLarge(oversized));
        if (close) {
            HttpUtil.setKeepAlive(response, false);
            context.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        } else {
            HttpUtil.setKeepAlive(response, true);
            context.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
    }

    private static RestApi.Response tooLarge(HttpMessage request) {
        long length = HttpUtil.getContentLength(request, -1L);
        String size = length >= 0 ? "is " + length + " bytes" : "grew past the limit";
        return RestApi.error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE.code(), "the request body " + size
                + "; this model server takes at most " + MAX_BODY + " bytes (64 MiB) per request. Send fewer "
                + "instances per request, splitting the batch over several requests");
    }
}
