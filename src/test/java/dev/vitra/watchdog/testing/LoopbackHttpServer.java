package dev.vitra.watchdog.testing;

import com.sun.net.httpserver.HttpServer;
import dev.vitra.watchdog.util.HttpServerLimits;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** The receiving end of a test (a webhook, a heartbeat): a JDK HttpServer on a free loopback port. */
public final class LoopbackHttpServer {
    private LoopbackHttpServer() {
    }

    /**
     * Made after the service's server limits are set: the JDK reads them once, when the first HttpServer of the JVM is
     * made, and tests that run later in the same JVM rely on them (a slow client must not hold the listener).
     */
    public static HttpServer create() throws IOException {
        HttpServerLimits.apply();
        return HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    }
}
