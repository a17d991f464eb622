package dev.caravan.serving;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;

/**
 * Netty's native epoll transport where Linux offers it (fewer system calls and wake-ups per request, which count
 * when requests take a fraction of a millisecond), else the portable NIO one.
 */
final class Transports {

    private Transports() {
    }

    static EventLoopGroup eventLoops(int threads, String name) {
        return Epoll.isAvailable() ? new EpollEventLoopGroup(threads, ServerThreads.factory(name))
                : new NioEventLoopGroup(threads, ServerThreads.factory(name));
    }

    static Class<? extends ServerChannel> serverChannel() {
        return Epoll.isAvailable() ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }
}
