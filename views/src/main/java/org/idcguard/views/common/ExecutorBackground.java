package org.idcguard.views.common;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import javafx.application.Platform;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;

/** {@link Background} on a small pool of daemon threads; callbacks go through {@link Platform#runLater}. */
public final class ExecutorBackground implements Background, AutoCloseable {
    private static final Logger log = Logger.getLogger(ExecutorBackground.class.getName());
    private final ExecutorService pool = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "console-background");
        t.setDaemon(true);
        return t;
    });
    private final ReadOnlyIntegerWrapper running = new ReadOnlyIntegerWrapper(0);

    @Override
    public <T> void run(String what, Callable<T> work, Consumer<T> onSuccess, Consumer<Throwable> onFailure) {
        running.set(running.get() + 1);
        pool.execute(() -> {
            try {
                T result = work.call();
                Platform.runLater(() -> finish(() -> onSuccess.accept(result)));
            } catch (Exception | Error e) {
                log.log(Level.FINE, what + " failed", e);
                Platform.runLater(() -> finish(() -> onFailure.accept(e)));
            }
        });
    }

    @Override
    public <T> void runQuietly(Callable<T> work, Consumer<T> onSuccess, Consumer<Throwable> onFailure) {
        pool.execute(() -> {
            try {
                T result = work.call();
                Platform.runLater(() -> onSuccess.accept(result));
            } catch (Exception | Error e) {
                Platform.runLater(() -> onFailure.accept(e));
            }
        });
    }

    private void finish(Runnable callback) {
        running.set(running.get() - 1);
        callback.run();
    }

    @Override
    public ReadOnlyIntegerProperty runningProperty() {
        return running.getReadOnlyProperty();
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
