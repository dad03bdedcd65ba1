package dev.vitra.watchdog.util;

/**
 * Bounds for the JDK's built-in HTTP server (the watchdog's listener, the reference executor). It reads a request's
 * headers on a worker thread and by default waits for them forever, so a few clients that never finish their headers
 * would hold every worker. The JDK reads these settings once, when the first server of the process starts: every
 * server here calls {@link #apply()} before it is created. An operator's own -D settings win.
 */
public final class HttpServerLimits {
    /** The longest a client may take to send its request, and to read a response. */
    public static final int MAX_REQUEST_SECONDS = 10;
    public static final int MAX_RESPONSE_SECONDS = 30;

    private HttpServerLimits() {
    }

    public static void apply() {
        System.getProperties().putIfAbsent("sun.net.httpserver.maxReqTime", Integer.toString(MAX_REQUEST_SECONDS));
        System.getProperties().putIfAbsent("sun.net.httpserver.maxRspTime", Integer.toString(MAX_RESPONSE_SECONDS));
        System.getProperties().putIfAbsent("jdk.httpserver.maxConnections", "256");
    }
}
