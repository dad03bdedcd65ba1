package dev.vitra.watchdog.cli;

/**
 * POSIX signal handlers through {@code sun.misc.Signal} (module jdk.unsupported), the JDK's only way to handle a
 * signal. Reached by reflection because compiling against it cannot be warning-free.
 */
final class Signals {
    private Signals() {
    }

    /** Runs {@code action} (on a JVM signal thread) whenever {@code name} (HUP, TERM, INT) arrives; false if impossible. */
    static boolean on(String name, Runnable action) {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
            Object sig = signal.getConstructor(String.class).newInstance(name);
            Object handler = java.lang.reflect.Proxy.newProxyInstance(handlerType.getClassLoader(), new Class<?>[] {handlerType},
                    (proxy, method, args) -> {
                        switch (method.getName()) {
                            case "handle" -> action.run();
                            case "hashCode" -> {
                                return System.identityHashCode(proxy);
                            }
                            case "equals" -> {
                                return proxy == args[0];
                            }
                            case "toString" -> {
                                return "handler of SIG" + name;
                            }
                            default -> {
                            }
                        }
                        return null;
                    });
            signal.getMethod("handle", signal, handlerType).invoke(null, sig, handler);
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }
}
